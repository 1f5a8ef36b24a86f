"""The HTTP side every service shares: problem+json errors, tracing, latency, health and docs."""

import time
from collections.abc import Callable
from typing import Any

import structlog
from asyncpg.exceptions import PostgresError
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.telemetry import TelemetryConfig
from opentelemetry.trace import Span, SpanKind, StatusCode
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tessera_kit.health import Check, run_checks
from tessera_kit.metrics import Metrics
from tessera_kit.outage_log import OutageLog
from tessera_kit.outages import is_transient_database_error, is_transient_kafka_error, sqlstate
from tessera_kit.problems import DependencyUnavailable, InvalidInput, Problem
from tessera_kit.redaction import redacted_query
from tessera_kit.telemetry import context_from_headers, trace_id_hex, tracer

PROBLEM_JSON = "application/problem+json"
# Probes and scrapes come every few seconds; a line each would drown the requests people make.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})
# How long a client should wait before retrying while a dependency is down: long enough not to
# hammer a recovering database, short enough that a restart (seconds) costs a client one retry.
RETRY_AFTER_SECONDS = 5
# FastAPI's own OpenTelemetry (0.16x) would add a second server span per request and three
# operation spans, each exported: ObservabilityMiddleware already makes the one span we need.
FASTAPI_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
log = structlog.get_logger(__name__)


def problem_response(status: int, title: str, detail: str, request: Request, **extra: Any) -> JSONResponse:
    """A problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body["instance"] = request.url.path
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def unavailable_dependency(error: BaseException) -> str | None:
    """Which dependency an error says is down ("database" or "kafka"), or None for any other error.

    An exception group (from a task group) counts only when every error in it is an outage.
    """
    if isinstance(error, BaseExceptionGroup):
        named = {unavailable_dependency(inner) for inner in error.exceptions}
        return named.pop() if len(named) == 1 else None
    if is_transient_database_error(error):
        return "database"
    if is_transient_kafka_error(error):
        return "kafka"
    return None


def outage_problem(dependency: str, retry_after_seconds: int = RETRY_AFTER_SECONDS) -> DependencyUnavailable:
    """The 503 problem for a request that failed because ``dependency`` is unavailable."""
    return DependencyUnavailable(
        f"the {dependency} is unavailable right now; try again later",
        dependency=dependency,
        retry_after_seconds=retry_after_seconds,
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error as problem+json; never leak a stack trace."""

    async def on_problem(request: Request, error: Exception) -> Response:
        if not isinstance(error, Problem):
            raise error
        return render_problem(error, request.url.path)

    async def on_validation(request: Request, error: Exception) -> Response:
        errors = error.errors() if isinstance(error, RequestValidationError) else []
        detail = "; ".join(
            f"{'.'.join(str(part) for part in item.get('loc', ()))}: {item.get('msg')}" for item in errors
        )
        return problem_response(
            422,
            "Invalid request",
            detail or "invalid request",
            request,
            errors=[
                {"loc": list(item.get("loc", ())), "msg": item.get("msg"), "type": item.get("type")}
                for item in errors
            ],
        )

    async def on_http(request: Request, error: Exception) -> Response:
        status = error.status_code if isinstance(error, HTTPException) else 500
        detail = str(error.detail) if isinstance(error, HTTPException) else "error"
        return problem_response(status, detail, detail, request)

    async def on_unexpected(request: Request, error: Exception) -> Response:
        # ObservabilityMiddleware answers outages before they get here; this covers an app without it.
        dependency = unavailable_dependency(error)
        if dependency is not None:
            return render_problem(outage_problem(dependency), request.url.path)
        log.exception("unhandled error", path=request.url.path)
        return problem_response(
            500, "Internal error", "something went wrong on our side; the trace id says where", request
        )

    async def on_database_error(request: Request, error: Exception) -> Response:
        problem = data_problem(error)
        if problem is None:
            raise error  # an outage (503, answered by ObservabilityMiddleware) or a bug (500)
        # The SQLSTATE only: the error's text carries the statement's parameters, the client's input.
        log.warning(
            "request refused by the database", path=request.url.path, sqlstate=problem.extensions["sqlstate"]
        )
        return render_problem(problem, request.url.path)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(DBAPIError, on_database_error)
    app.add_exception_handler(PostgresError, on_database_error)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


def data_problem(error: BaseException) -> InvalidInput | None:
    """The 422 for a value PostgreSQL refused to store or compare (SQLSTATE class 22, data exception:
    NUL in text, a number out of range, text that is not a valid value of its type), or None.

    A safety net under the schemas (:mod:`tessera_kit.inputs`): whatever slipped past them is still
    the request's fault, never a 500. Outages are not data errors (see :mod:`tessera_kit.outages`),
    and nor is a unique violation: a use case that lets one through has a bug (500) to fix.
    """
    code = sqlstate(error)
    if code is None or not code.startswith("22"):
        return None
    return InvalidInput("a value in the request cannot be stored or compared as given", sqlstate=code)


def render_problem(problem: Problem, path: str) -> JSONResponse:
    """The problem+json response (an ASGI app) for ``problem`` at ``path``."""
    return JSONResponse(
        problem.body(instance=path),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers,
    )


class ObservabilityMiddleware:
    """A server span per request (continuing the caller's trace), its log line and latency, and a 503
    problem instead of a 500 when the request failed because PostgreSQL or Kafka is unavailable.

    Plain ASGI rather than ``@app.middleware("http")``: Starlette's BaseHTTPMiddleware runs the rest of
    the app in a second task with memory streams between them, which costs every request.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics, outages: OutageLog) -> None:
        self.app = app
        self.metrics = metrics
        self.outages = outages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection; anything but HTTP passes straight through."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method: str = scope["method"]
        status = 500
        with tracer().start_as_current_span(
            f"HTTP {method}",
            context=context_from_headers((name.decode("latin-1"), value) for name, value in scope["headers"]),
            kind=SpanKind.SERVER,
            attributes=_request_attributes(scope),
        ) as span:
            trace_header = (b"x-trace-id", trace_id_hex(span).encode())
            responded = False

            async def send_traced(message: Message) -> None:
                nonlocal status, responded
                if message["type"] == "http.response.start":
                    status, responded = message["status"], True
                    message["headers"] = [*message.get("headers", ()), trace_header]
                await send(message)

            try:
                await self.app(scope, receive, send_traced)
            except Exception as error:
                dependency = unavailable_dependency(error)
                if dependency is None or responded:
                    self._finish(span, scope, method, status, started)
                    raise
                # Answered, so not raised: the span keeps the error the client does not see.
                span.record_exception(error)
                span.set_status(StatusCode.ERROR, f"{dependency} unavailable")
                self.outages.note_failure(dependency, error, path=scope["path"])
                self.metrics.dependency_unavailable.labels(dependency=dependency).inc()
                await render_problem(outage_problem(dependency), scope["path"])(scope, receive, send_traced)
            self._finish(span, scope, method, status, started)

    def _finish(self, span: Span, scope: Scope, method: str, status: int, started: float) -> None:
        route = getattr(scope.get("route"), "path", "unmatched")
        span.update_name(f"{method} {route}")
        span.set_attribute("http.route", route)
        span.set_attribute("http.response.status_code", status)
        elapsed = time.perf_counter() - started
        if route not in QUIET_ROUTES:
            log.info(
                "request handled",
                method=method,
                route=route,
                status=status,
                duration_ms=round(elapsed * 1000, 1),
            )
        self.metrics.request_latency.labels(method=method, route=route, status=str(status)).observe(elapsed)


def _request_attributes(scope: Scope) -> dict[str, str]:
    """The server span's request attributes; the query string without its secrets (cancel-link tokens,
    codes, signatures). Headers are never recorded: they carry the bearer token."""
    attributes = {"http.request.method": scope["method"], "url.path": scope["path"]}
    query: bytes = scope.get("query_string", b"")
    if query:
        attributes["url.query"] = redacted_query(query.decode("latin-1"))
    return attributes


def install_observability(app: FastAPI, metrics: Metrics, outages: OutageLog | None = None) -> OutageLog:
    """Tracing, logging and latency of every request, and 503s while a dependency is down.

    Returns the :class:`OutageLog` that aggregates the outages requests ran into (so readiness can
    close a streak when the dependency answers again).
    """
    outages = outages if outages is not None else OutageLog()
    app.add_middleware(ObservabilityMiddleware, metrics=metrics, outages=outages)
    return outages


def install_operational_routes(
    app: FastAPI,
    metrics: Metrics,
    checks: Callable[[], dict[str, Check]],
    asyncapi: Callable[[], dict[str, Any]],
    outages: OutageLog | None = None,
) -> None:
    """/healthz, /readyz, /metrics and /asyncapi.json.

    /readyz runs every check; a check that fails because its dependency is down (or answers again)
    is reported to ``outages`` under the check's name ("database", "kafka"), like failed requests.
    """
    outages = outages if outages is not None else OutageLog()

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="Database, Kafka and migrations are ready")
    async def readyz(request: Request) -> Response:
        results = await run_checks(
            {name: _reporting(name, check, outages) for name, check in checks().items()}
        )
        if all(outcome == "ok" for outcome in results.values()):
            return JSONResponse({"status": "ready", "checks": results})
        response = problem_response(
            503,
            "Not ready",
            "a dependency is not ready",
            request,
            type="https://tessera.dev/problems/not-ready",
            checks=results,
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics")
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/asyncapi.json", tags=["operations"], summary="AsyncAPI document of this service's topics")
    async def asyncapi_document() -> dict[str, Any]:
        return asyncapi()


def _reporting(name: str, check: Check, outages: OutageLog) -> Check:
    """The check, telling ``outages`` when its dependency is down and when it answers again."""

    async def run() -> None:
        try:
            await check()
        except Exception as error:
            # Named like the failed requests' streaks: the migrations check fails when the database does.
            dependency = unavailable_dependency(error)
            if dependency is not None:
                outages.note_failure(dependency, error, source="readiness")
            raise
        outages.note_recovery(name, source="readiness")

    return run
