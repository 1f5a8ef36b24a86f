"""Every service refuses oversized bodies with 413 and NUL characters with 422, before a route runs."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import Field

from tessera_kit.http import install_observability, install_problem_handlers
from tessera_kit.inputs import RequestBody
from tessera_kit.metrics import Metrics
from tessera_kit.request_limits import install_request_limits

LIMIT = 4096


class SignIn(RequestBody):
    email: str = Field(max_length=3000)
    password: str = Field(max_length=3000)


def service() -> FastAPI:
    """An app wired as create_app wires it, with one unauthenticated route that reads a body."""
    app = FastAPI()
    install_problem_handlers(app)
    install_request_limits(app, max_body_bytes=LIMIT)
    install_observability(app, Metrics())

    @app.post("/v1/sign-in")
    async def sign_in(body: SignIn) -> dict[str, str]:
        return {"signed_in": body.email}

    @app.get("/v1/search")
    async def search(q: str = "") -> dict[str, str]:
        return {"q": q}

    return app


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=service()), base_url="http://identity")


def assert_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status


async def test_a_body_within_the_limit_is_served() -> None:
    async with client() as http:
        response = await http.post("/v1/sign-in", json={"email": "anna@example.ch", "password": "x" * 2000})

    assert response.status_code == 200, response.text


async def test_a_declared_length_over_the_limit_is_refused_before_it_is_read() -> None:
    async with client() as http:
        response = await http.post(
            "/v1/sign-in", content=b"{" + b" " * LIMIT + b"}", headers={"content-type": "application/json"}
        )

    assert_problem(response, 413)
    assert response.json()["type"] == "https://tessera.dev/problems/content-too-large"
    assert response.json()["max_body_bytes"] == LIMIT


async def test_a_streamed_body_without_a_length_is_cut_off_once_it_passes_the_limit() -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"email": "anna@example.ch", "password": "'
        for _ in range(1000):
            sent += 1
            yield b"x" * 1024
        yield b'"}'

    async with client() as http:
        response = await http.post(
            "/v1/sign-in", content=chunks(), headers={"content-type": "application/json"}
        )

    assert_problem(response, 413)
    assert sent < 1000, "the rest of the body must not be read"


async def test_a_content_length_that_is_not_a_number_is_a_bad_request() -> None:
    async with client() as http:
        response = await http.post("/v1/sign-in", content=b"{}", headers={"content-length": "lots"})

    assert_problem(response, 400)


@pytest.mark.parametrize("query", ["q=%00", "q=abc%00def", "other=1&q=%00"])
async def test_a_nul_character_in_the_query_string_is_refused(query: str) -> None:
    async with client() as http:
        response = await http.get(f"/v1/search?{query}")

    assert_problem(response, 422)
    assert "NUL" in response.json()["detail"]


async def test_a_nul_character_in_the_path_is_refused() -> None:
    async with client() as http:
        response = await http.get("/v1/search%00")

    assert_problem(response, 422)


async def test_a_nul_character_anywhere_in_a_json_body_is_refused_naming_the_field() -> None:
    async with client() as http:
        response = await http.post("/v1/sign-in", json={"email": "anna\u0000@example.ch", "password": "x"})

    assert_problem(response, 422)
    assert response.json()["errors"][0]["loc"] == ["body", "email"]


async def test_search_text_without_nul_passes_untouched() -> None:
    async with client() as http:
        response = await http.get("/v1/search", params={"q": "Zürich 100%"})

    assert response.json() == {"q": "Zürich 100%"}
