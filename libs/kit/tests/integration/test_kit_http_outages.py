"""While PostgreSQL is unreachable every route answers 503 problem+json with Retry-After, readiness
says so, the outage is logged once, and the same routes answer normally once the database is back."""

import socket
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from kit_support import MIGRATIONS, GreetingsUnitOfWork, migrate
from pg_proxy import PostgresProxy
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tessera_kit.db import Database
from tessera_kit.health import database_check, migrations_check
from tessera_kit.http import install_observability, install_operational_routes, install_problem_handlers
from tessera_kit.metrics import Metrics
from tessera_kit.outage_log import OutageLog

pytestmark = pytest.mark.integration
OUTAGE = "https://tessera.dev/problems/dependency-unavailable"


class RecordingLogger:
    """Keeps the outage log's lines."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def warning(self, event: str, **_: Any) -> None:
        self.events.append(event)

    def info(self, event: str, **_: Any) -> None:
        self.events.append(event)


def greetings_app(database: Database, outages: OutageLog) -> FastAPI:
    """A service's HTTP side as create_app wires it, with one route that reads and one that writes."""
    app = FastAPI()
    install_problem_handlers(app)
    install_observability(app, Metrics(), outages)
    checks = {"database": database_check(database), "migrations": migrations_check(database, MIGRATIONS)}
    install_operational_routes(app, Metrics(), lambda: checks, dict, outages)

    @app.get("/v1/greetings")
    async def count(request: Request) -> dict[str, int]:
        async with database.session() as session:
            return {"greetings": int(await session.scalar(text("SELECT count(*) FROM greetings")) or 0)}

    @app.post("/v1/greetings", status_code=201)
    async def greet() -> dict[str, str]:
        async with GreetingsUnitOfWork(database, source="test") as uow:
            await uow.greet("Alpine Hosting AG")
            await uow.commit()
        return {"status": "greeted"}

    return app


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service")


def assert_outage(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["type"] == OUTAGE
    assert response.json()["dependency"] == "database"


async def test_routes_answer_503_while_the_database_recovers_and_normally_afterwards(make_database) -> None:  # type: ignore[no-untyped-def]
    url = await make_database()
    await migrate(url)
    parsed = make_url(url)
    proxy = PostgresProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    await proxy.start()
    database = Database(proxy.url_for(url))
    logger = RecordingLogger()
    app = greetings_app(database, OutageLog(logger))
    try:
        async with client(app) as http:
            assert (await http.post("/v1/greetings")).status_code == 201
            assert (await http.get("/readyz")).status_code == 200

            proxy.recovering = True  # new connections: FATAL 57P03 "the database system is starting up"
            proxy.drop_all()  # and the pooled ones are cut, as by a crash
            for _ in range(5):
                assert_outage(await http.get("/v1/greetings"))
                assert_outage(await http.post("/v1/greetings"))
            not_ready = await http.get("/readyz")
            assert not_ready.status_code == 503
            assert not_ready.headers["content-type"] == "application/problem+json"
            assert int(not_ready.headers["retry-after"]) > 0
            assert not_ready.json()["checks"]["database"].startswith("failed")

            proxy.recovering = False
            assert (await http.get("/readyz")).status_code == 200
            assert (await http.post("/v1/greetings")).status_code == 201
            assert (await http.get("/v1/greetings")).json() == {"greetings": 2}
    finally:
        await database.dispose()
        await proxy.stop()
    # Ten failed requests and a failed probe: one line when it started, one when it ended.
    assert logger.events == ["dependency unavailable", "dependency recovered"]


async def test_a_database_nobody_listens_for_is_a_503_not_a_500(make_database) -> None:  # type: ignore[no-untyped-def]
    url = make_url(await make_database())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]  # free, and nothing listens once the socket closes
    database = Database(url.set(port=closed_port).render_as_string(hide_password=False))
    app = greetings_app(database, OutageLog(RecordingLogger()))
    try:
        async with client(app) as http:
            assert_outage(await http.get("/v1/greetings"))
            assert (await http.get("/readyz")).status_code == 503
            assert (await http.get("/healthz")).status_code == 200  # alive, just not ready
    finally:
        await database.dispose()
