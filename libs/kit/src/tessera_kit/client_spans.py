"""Client spans for the HTTP calls a service makes to another company's API (Stripe), by OpenTelemetry's
HTTP semantic conventions: ``http.request.method``, ``server.address``, ``url.path``,
``http.response.status_code``.

The URL's query string never goes into a span (it may carry what a trace must not keep); the path
does, and the span's name is the path with its object ids replaced (``POST /v1/payment_intents``,
``GET /v1/payment_intents/{id}``) so that spans of one operation group together in a dashboard.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from tessera_kit.telemetry import tracer

# Stripe's object ids: a short prefix, an underscore, random letters and digits (pi_3Mt..., cus_Nf...);
# a digit or a capital tells them from the names of resources (payment_intents).
_OBJECT_ID = re.compile(r"^[a-z]{2,8}_[A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*$")


def path_template(path: str) -> str:
    """The path with object ids replaced by ``{id}``."""
    return "/".join("{id}" if _OBJECT_ID.match(segment) else segment for segment in path.split("/"))


@contextmanager
def http_client_span(peer_service: str, method: str, url: str) -> Iterator[trace.Span]:
    """A client span around one HTTP request (each retry its own); an exception ends it as an error."""
    parts = urlsplit(url)
    attributes: dict[str, str | int] = {
        "http.request.method": method.upper(),
        "server.address": parts.hostname or "",
        "url.scheme": parts.scheme,
        "url.path": parts.path,
        "url.template": path_template(parts.path),
        "peer.service": peer_service,
    }
    if parts.port is not None:
        attributes["server.port"] = parts.port
    name = f"{method.upper()} {attributes['url.template']}"
    with tracer().start_as_current_span(name, kind=SpanKind.CLIENT, attributes=attributes) as span:
        yield span


def record_response(span: trace.Span, status_code: int) -> None:
    """The answer's status; a 4xx or 5xx marks a client span as an error (the conventions' rule)."""
    span.set_attribute("http.response.status_code", status_code)
    if status_code >= 400:
        span.set_attribute("error.type", str(status_code))
        span.set_status(StatusCode.ERROR)
