"""Limits every request meets before a route sees it: a body size, and no NUL character in the URL.

A body larger than the service's limit answers 413 problem+json: at once when ``Content-Length``
says so, otherwise as soon as the streamed chunks counted so far pass it (so a chunked upload without
a length is never buffered past the limit). Unauthenticated routes (sign-in, webhooks) are covered like
every other: the limit is the kit's, not a route's. A path or query string holding U+0000 (``%00``)
answers 422: PostgreSQL cannot store it in text, and no identifier or search needs it.
"""

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tessera_kit.http import render_problem
from tessera_kit.inputs import NUL_MESSAGE
from tessera_kit.problems import ContentTooLarge, InvalidInput, Problem

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


class _BodyTooLarge(Exception):
    """Raised from ``receive`` once the chunks read so far pass the limit (the app stops reading)."""


class _CountedBody:
    """The request's ``receive``, counting body bytes as they arrive."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self._receive = receive
        self._limit = limit
        self._received = 0
        self.exceeded = False

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self._received += len(message.get("body", b""))
            if self._received > self._limit:
                self.exceeded = True
                raise _BodyTooLarge
        return message


class RequestLimits:
    """Plain ASGI middleware enforcing :mod:`tessera_kit.request_limits`' rules on every HTTP request."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse what breaks a limit; pass the rest on with its body counted."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await render_problem(refusal, scope["path"])(scope, receive, send)
            return
        body = _CountedBody(receive, self.max_body_bytes)
        started = False

        async def send_unless_too_large(message: Message) -> None:
            nonlocal started
            if body.exceeded and not started:
                return  # the app's answer to a body it could not read (e.g. FastAPI's 400): ours instead
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, body.receive, send_unless_too_large)
        except Exception:
            if not body.exceeded or started:
                raise
        if body.exceeded and not started:
            await render_problem(self._too_large(), scope["path"])(scope, receive, send)

    def _refusal(self, scope: Scope) -> Problem | None:
        """What refuses the request before it is read, if anything."""
        # scope["path"] is percent-decoded; the query string is not (a NUL travels as %00).
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
            return InvalidInput(f"the URL {NUL_MESSAGE}")
        lengths = [value for name, value in scope["headers"] if name == b"content-length"]
        if not lengths:
            return None
        if not all(length.isdigit() for length in lengths):
            return Problem("the Content-Length header is not a number of bytes")
        if max(int(length) for length in lengths) > self.max_body_bytes:
            return self._too_large()
        return None

    def _too_large(self) -> ContentTooLarge:
        return ContentTooLarge(
            f"the request body is larger than {self.max_body_bytes} bytes",
            max_body_bytes=self.max_body_bytes,
        )


def install_request_limits(app: FastAPI, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
    """Enforce the body size limit and refuse NUL in URLs, for every route of ``app``.

    Install it before :func:`tessera_kit.http.install_observability`, so the span, log line and
    latency of a refused request show its 413 or 422.
    """
    app.add_middleware(RequestLimits, max_body_bytes=max_body_bytes)
