"""The kit's permission model: what a token's application and scopes let it reach."""

from uuid import uuid4

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from tessera_kit.auth import Caller, TokenMethod
from tessera_kit.http import install_problem_handlers
from tessera_kit.permissions import (
    BILLING,
    CATALOGUE,
    by_full_name,
    declared_permissions,
    named,
    personal,
    public,
    requires,
    undeclared_routes,
)


class TokensByName:
    """Stands in for the token verifier: the bearer token is the name of a caller below."""

    def __init__(self, callers: dict[str, Caller]) -> None:
        self._callers = callers

    async def verify(self, token: str) -> Caller:
        return self._callers[token]


USER = uuid4()
CALLERS = {
    "password": Caller(USER),
    "invoices-reader": Caller(
        USER, method=TokenMethod.API_TOKEN, application="billing", scopes=frozenset({"billing:invoices:read"})
    ),
    "tags-writer": Caller(
        USER, method=TokenMethod.API_TOKEN, application="billing", scopes=frozenset({"billing:tags:write"})
    ),
    "wallet-token": Caller(
        USER, method=TokenMethod.API_TOKEN, application="wallet", scopes=frozenset({"wallet:wallets:write"})
    ),
    "app-password": Caller(USER, method=TokenMethod.APP_PASSWORD, scopes=frozenset({"mail"})),
}


def _router() -> APIRouter:
    router = APIRouter()

    @router.get("/invoices", dependencies=[requires(BILLING["invoices:read"])])
    async def invoices() -> dict[str, str]:
        return {"ok": "invoices"}

    @router.get("/tags", dependencies=[requires(BILLING["tags:read"])])
    async def tags() -> dict[str, str]:
        return {"ok": "tags"}

    @router.get("/me", dependencies=[personal()])
    async def me() -> dict[str, str]:
        return {"ok": "me"}

    @router.get("/catalogue", dependencies=[public()])
    async def catalogue() -> dict[str, str]:
        return {"ok": "catalogue"}

    return router


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.token_verifier = TokensByName(CALLERS)
    app.include_router(_router())
    return app


async def _get(path: str, token: str | None) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path, headers=headers)


@pytest.mark.parametrize(
    ("token", "path", "status"),
    [
        ("password", "/invoices", 200),
        ("invoices-reader", "/invoices", 200),
        ("invoices-reader", "/tags", 403),
        ("tags-writer", "/tags", 200),
        ("wallet-token", "/invoices", 403),
        ("app-password", "/invoices", 403),
        (None, "/invoices", 401),
        ("password", "/me", 200),
        ("invoices-reader", "/me", 403),
        ("app-password", "/me", 403),
        (None, "/catalogue", 200),
    ],
)
async def test_a_token_reaches_a_route_only_with_the_permission_it_declares(
    token: str | None, path: str, status: int
) -> None:
    response = await _get(path, token)
    assert response.status_code == status, response.text
    if status == 403:
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_refusal_names_the_missing_permission() -> None:
    response = await _get("/tags", "invoices-reader")
    assert response.json()["missing_permission"] == "billing:tags:read"
    response = await _get("/invoices", "wallet-token")
    assert response.json()["missing_permission"] == "billing:invoices:read"


def test_a_write_permission_includes_reading() -> None:
    assert BILLING["tags:read"].granted_by(frozenset({"billing:tags:write"}))
    assert not BILLING["tags:write"].granted_by(frozenset({"billing:tags:read"}))


def test_the_catalogue_finds_a_permission_by_its_short_or_full_name() -> None:
    assert (
        named("billing", "invoices:read") is by_full_name("billing:invoices:read") is BILLING["invoices:read"]
    )
    assert named("billing", "invoices:fly") is None
    assert named("nowhere", "invoices:read") is None
    assert all(p.application == app for app, catalogue in CATALOGUE.items() for p in catalogue.values())


def test_a_route_without_a_declaration_is_found() -> None:
    router = APIRouter()

    @router.get("/forgotten")
    async def forgotten() -> None:
        return None

    assert undeclared_routes(router.routes) == ["GET /forgotten"]
    outer = APIRouter()
    outer.include_router(router, prefix="/inner")
    assert undeclared_routes(outer.routes) == ["GET /forgotten"]
    assert undeclared_routes(_router().routes) == []
    assert declared_permissions(_router().routes) == {"billing:invoices:read", "billing:tags:read"}


def test_the_openapi_document_names_each_operation_s_scope() -> None:
    document = _app().openapi()
    assert document["paths"]["/invoices"]["get"]["security"] == [{"bearer": ["billing:invoices:read"]}]
    assert document["paths"]["/me"]["get"]["security"] == [{"bearer": []}]
    assert "security" not in document["paths"]["/catalogue"]["get"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
