"""A value PostgreSQL refuses (a data exception, SQLSTATE class 22) answers 422 problem+json, never 500,
whether the schema missed it or the route passed it on as it came."""

from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from tessera_kit.db import Database, asyncpg_dsn
from tessera_kit.http import install_observability, install_problem_handlers
from tessera_kit.metrics import Metrics

pytestmark = pytest.mark.integration
QUERIES = {
    "nul": ("SELECT CAST(:value AS text)", "a\x00b"),  # 22021: no NUL in text
    "bigint": ("SELECT CAST(:value AS bigint)", 2**70),  # asyncpg refuses to encode it (22000)
    "integer": ("SELECT CAST(:value AS integer)", 2**40),  # 22003: out of range for integer
    "syntax": ("SELECT CAST(CAST(:value AS text) AS uuid)", "not-a-uuid"),  # 22P02
}


def app(database: Database, dsn: str) -> FastAPI:
    """A route per kind of bad value, sent to PostgreSQL through SQLAlchemy, and one through asyncpg."""
    application = FastAPI()
    install_problem_handlers(application)
    install_observability(application, Metrics())

    @application.get("/v1/values/{kind}")
    async def store(kind: str) -> dict[str, str]:
        statement, value = QUERIES[kind]
        async with database.session() as session:
            await session.execute(text(statement), {"value": value})
        return {"stored": kind}

    @application.get("/v1/raw")
    async def raw() -> dict[str, str]:
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute("SELECT 1 / 0")  # 22012
        finally:
            await connection.close()
        return {"divided": "by zero"}

    return application


@pytest.fixture
async def http(make_database: Callable[..., Awaitable[str]]) -> AsyncIterator[httpx.AsyncClient]:
    url = await make_database()
    database = Database(url)
    transport = httpx.ASGITransport(app=app(database, asyncpg_dsn(url)))
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        yield client
    await database.dispose()


@pytest.mark.parametrize("kind", sorted(QUERIES))
async def test_a_value_postgresql_refuses_is_the_requests_fault(http: httpx.AsyncClient, kind: str) -> None:
    response = await http.get(f"/v1/values/{kind}")

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "https://tessera.dev/problems/invalid-input"
    assert response.json()["sqlstate"].startswith("22")
    assert "\x00" not in response.text
    assert str(2**70) not in response.text


async def test_a_data_exception_raised_by_asyncpg_itself_is_a_422_too(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/raw")

    assert response.status_code == 422, response.text
    assert response.json()["sqlstate"] == "22012"
