"""Traces (exported over OTLP or to Zipkin), JSON logs with the trace id, trace context in Kafka headers."""

import functools
import logging
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

import structlog
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from tessera_kit.settings import ServiceSettings

_PROPAGATOR = TraceContextTextMapPropagator()
TRACE_HEADERS = ("traceparent", "tracestate")


def configure_tracing(settings: ServiceSettings) -> TracerProvider:
    """The process's tracer provider, exporting over OTLP/HTTP and to Zipkin, as configured.

    OpenTelemetry allows one global provider per process, so the first call installs it and later
    calls (several apps in one test process) reuse it. It flushes and shuts down at exit.
    """
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    provider = TracerProvider(
        resource=Resource.create({"service.name": settings.service_name}),
        sampler=ParentBased(TraceIdRatioBased(settings.trace_sample_ratio)),
    )
    if settings.otlp_endpoint:
        # Only when exporting: the exporter brings protobuf with it.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = settings.otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    if settings.zipkin_endpoint:
        from opentelemetry.exporter.zipkin.json import ZipkinExporter

        provider.add_span_processor(BatchSpanProcessor(ZipkinExporter(endpoint=settings.zipkin_endpoint)))
    trace.set_tracer_provider(provider)
    return provider


@functools.cache
def tracer() -> trace.Tracer:
    """The suite's tracer (looked up once: the lookup cost as much as a span on the relay's hot path;
    before the provider is configured it is a proxy that follows the provider set later)."""
    return trace.get_tracer("tessera")


def _add_trace_ids(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        event["trace_id"] = format(span_context.trace_id, "032x")
        event["span_id"] = format(span_context.span_id, "016x")
    return event


def configure_logging(settings: ServiceSettings) -> None:
    """Send every log line, ours and the libraries', to stdout as JSON with the trace id."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_trace_ids,
        structlog.processors.format_exc_info,
    ]
    # Only for the standard library's records: how many repeats RepeatedLogFilter held back.
    foreign = [*shared, structlog.stdlib.ExtraAdder(allow=(SUPPRESSED_FIELD,))]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=foreign,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    # During a broker outage aiokafka logs the same connection error for every retry of every client.
    handler.addFilter(RepeatedLogFilter(prefixes=("aiokafka",)))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(settings.log_level.upper())
    # Every readiness check reads the schema revision, and Alembic announces that at INFO.
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    structlog.contextvars.bind_contextvars(service=settings.service_name)


SUPPRESSED_FIELD = "suppressed_repeats"


class RepeatedLogFilter(logging.Filter):
    """Lets the first of a run of identical library log lines through, then one per ``every_seconds``.

    Lines are identical when they come from the same logger at the same level with the same message
    template (``record.msg`` before its arguments: "Unable connect to node with id %s: %s"). A line
    let through after some were held back carries ``suppressed_repeats`` with their number. A template
    not seen for ``forget_after_seconds`` starts afresh, so the first line of the next outage shows.
    Records of loggers outside ``prefixes`` always pass.
    """

    def __init__(
        self,
        prefixes: Sequence[str],
        *,
        every_seconds: float = 60.0,
        forget_after_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        max_templates: int = 1024,
    ) -> None:
        super().__init__()
        self._prefixes = tuple(prefixes)
        self._every = every_seconds
        self._forget_after = forget_after_seconds
        self._clock = clock
        self._max_templates = max_templates
        # template -> [last let through, last seen, held back since]
        self._seen: dict[tuple[str, int, str], list[float]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """Whether to emit the record (standard ``logging.Filter`` protocol)."""
        if not record.name.startswith(self._prefixes):
            return True
        now = self._clock()
        key = (record.name, record.levelno, str(record.msg))
        state = self._seen.get(key)
        if state is None or now - state[1] > self._forget_after:
            self._remember(key, [now, now, 0])
            return True
        state[1] = now
        if now - state[0] < self._every:
            state[2] += 1
            return False
        if state[2]:
            setattr(record, SUPPRESSED_FIELD, int(state[2]))
        state[0], state[2] = now, 0
        return True

    def _remember(self, key: tuple[str, int, str], state: list[float]) -> None:
        if len(self._seen) >= self._max_templates:
            # Bounded: forget the template seen longest ago (messages with variable text in the template).
            del self._seen[min(self._seen, key=lambda known: self._seen[known][1])]
        self._seen[key] = state


def current_trace_headers() -> dict[str, str]:
    """The W3C trace context of the current span, as headers (empty outside a span)."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier


def context_from_headers(headers: Iterable[tuple[str, bytes | str]]) -> otel_context.Context:
    """The trace context carried by Kafka or HTTP headers."""
    carrier = {
        name.lower(): value.decode(errors="replace") if isinstance(value, bytes) else value
        for name, value in headers
        if name.lower() in TRACE_HEADERS
    }
    return _PROPAGATOR.extract(carrier)


def stored_trace(traceparent: str | None, tracestate: str | None = None) -> AbstractContextManager[object]:
    """Make a trace stored with a job's row current again, so the job's spans continue the trace of
    what caused the row (none stored: the job's spans start a trace of their own)."""
    stored = [("traceparent", traceparent), ("tracestate", tracestate)]
    context = context_from_headers([(name, value) for name, value in stored if value])
    return trace.use_span(trace.get_current_span(context), end_on_exit=False)


def kafka_trace_headers() -> Sequence[tuple[str, bytes]]:
    """The current trace context as Kafka record headers."""
    return [(name, value.encode()) for name, value in current_trace_headers().items()]


def trace_id_hex(span: trace.Span | None = None) -> str:
    """The current (or given) span's trace id as 32 hex digits."""
    span = span or trace.get_current_span()
    return format(span.get_span_context().trace_id, "032x")
