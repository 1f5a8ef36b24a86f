"""The HTTP side every service shares: problem+json errors, tracing, latency, health and docs."""

import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from opentelemetry.trace import SpanKind
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException

from tessera_kit.health import Check, run_checks
from tessera_kit.metrics import Metrics
from tessera_kit.problems import Problem
from tessera_kit.telemetry import context_from_headers, trace_id_hex, tracer

PROBLEM_JSON = "application/problem+json"
# Probes and scrapes come every few seconds; a line each would drown the requests people make.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})
log = structlog.get_logger(__name__)


def problem_response(status: int, title: str, detail: str, request: Request, **extra: Any) -> JSONResponse:
    """A problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body["instance"] = request.url.path
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error as problem+json; never leak a stack trace."""

    async def on_problem(request: Request, error: Exception) -> Response:
        if not isinstance(error, Problem):
            raise error
        body = error.body(instance=request.url.path)
        return JSONResponse(body, status_code=error.status, media_type=PROBLEM_JSON, headers=error.headers)

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
        log.exception("unhandled error", path=request.url.path)
        return problem_response(
            500, "Internal error", "something went wrong on our side; the trace id says where", request
        )

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


def install_observability(app: FastAPI, metrics: Metrics) -> None:
    """A server span per request (continuing the caller's trace) and a latency histogram."""

    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        with tracer().start_as_current_span(
            f"HTTP {request.method}",
            context=context_from_headers(request.headers.items()),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": request.method, "url.path": request.url.path},
        ) as span:
            response = await call_next(request)
            route = getattr(request.scope.get("route"), "path", "unmatched")
            span.update_name(f"{request.method} {route}")
            span.set_attribute("http.route", route)
            span.set_attribute("http.response.status_code", response.status_code)
            response.headers["x-trace-id"] = trace_id_hex(span)
            if route not in QUIET_ROUTES:
                log.info(
                    "request handled",
                    method=request.method,
                    route=route,
                    status=response.status_code,
                    duration_ms=round((time.perf_counter() - started) * 1000, 1),
                )
        metrics.request_latency.labels(
            method=request.method, route=route, status=str(response.status_code)
        ).observe(time.perf_counter() - started)
        return response


def install_operational_routes(
    app: FastAPI,
    metrics: Metrics,
    checks: Callable[[], dict[str, Check]],
    asyncapi: Callable[[], dict[str, Any]],
) -> None:
    """/healthz, /readyz, /metrics and /asyncapi.json."""

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="Database, Kafka and migrations are ready")
    async def readyz(request: Request) -> Response:
        results = await run_checks(checks())
        if all(outcome == "ok" for outcome in results.values()):
            return JSONResponse({"status": "ready", "checks": results})
        return problem_response(503, "Not ready", "a dependency is not ready", request, checks=results)

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics")
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/asyncapi.json", tags=["operations"], summary="AsyncAPI document of this service's topics")
    async def asyncapi_document() -> dict[str, Any]:
        return asyncapi()
