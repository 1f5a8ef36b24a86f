"""Secrets kept out of telemetry: what a URL's query string may show in a span or a log line.

A single-purpose link carries its proof in the query (an offer request's cancel link:
``?token=…``), and so do OAuth-style callbacks (``code``, ``state``) and signed URLs (``signature``).
Whoever reads traces must not be able to follow those links, so such parameters keep their name and
lose their value.
"""

from urllib.parse import parse_qsl, urlencode

REDACTED = "REDACTED"
# A parameter whose name holds one of these words carries a secret ("token", "access_token",
# "api_key", "client_secret", "password", "signature"…); short ones only as the whole name.
SECRET_WORDS = ("token", "secret", "password", "passwd", "signature", "authorization", "key")
SECRET_NAMES = frozenset({"code", "state", "otp", "jwt", "auth", "sig"})


def is_secret_parameter(name: str) -> bool:
    """Whether a query parameter's value must not be recorded."""
    lowered = name.lower()
    return lowered in SECRET_NAMES or any(word in lowered for word in SECRET_WORDS)


def redacted_query(query: str) -> str:
    """The query string with the value of every secret parameter replaced by ``REDACTED``."""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(name, REDACTED if is_secret_parameter(name) else value) for name, value in pairs])
