"""Every identity route says who may call it, and the client a sign-in is counted against is the one
that sent it, not whoever a forwarded header names."""

from fastapi.routing import APIRoute
from starlette.requests import Request

from tessera_identity.adapters.passwords import Argon2Passwords
from tessera_identity.config import IdentitySettings
from tessera_identity.entrypoints.dependencies import client_address
from tessera_identity.entrypoints.http import create_routers
from tessera_kit.permissions import IDENTITY, declared_permissions, undeclared_routes

SETTINGS = IdentitySettings(
    database_url="postgresql+asyncpg://identity@127.0.0.1/identity", environment="development"
)
ROUTES = [route for router in create_routers(SETTINGS, Argon2Passwords()) for route in router.routes]
PUBLIC = {
    "POST /v1/organisations",
    "POST /v1/sessions",
    "GET /.well-known/jwks.json",
    "POST /v1/users",
    "POST /v1/two-factor/recovery-requests",
    "POST /v1/app-passwords/authenticate",
    "POST /v1/tokens/exchange",
}


def declaration(route: APIRoute) -> str:
    names = {d.call.__name__ for d in route.dependant.dependencies if d.call is not None}
    scopes = declared_permissions([route])
    if scopes:
        return " ".join(sorted(scopes))
    return "public" if "_public" in names else "personal" if "_personal" in names else "none"


def test_every_identity_route_declares_who_may_call_it_and_every_permission_is_used() -> None:
    assert undeclared_routes(ROUTES) == []
    assert declared_permissions(ROUTES) == {permission.name for permission in IDENTITY.values()}


def test_sign_in_is_public_a_person_s_own_account_personal_and_an_organisation_s_needs_a_permission() -> None:
    declared = {
        f"{next(iter(r.methods))} {r.path}": declaration(r) for r in ROUTES if isinstance(r, APIRoute)
    }

    assert {route for route, kind in declared.items() if kind == "public"} == PUBLIC
    assert declared["GET /v1/me"] == "personal"
    assert declared["POST /v1/me/sessions/revocation"] == "personal"
    assert declared["POST /v1/organisations/{organisation_id}/api-tokens"] == "personal"
    assert declared["PATCH /v1/organisations/{organisation_id}"] == "identity:organisations:write"
    assert declared["GET /v1/organisations/{organisation_id}/members"] == "identity:members:read"
    assert declared["DELETE /v1/organisations/{organisation_id}/api-tokens/{api_token_id}"] == (
        "identity:api-tokens:write"
    )
    assert declared["POST /v1/operator/signing-keys/rotation"] == "identity:operations:write"


def request_from(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "client": (peer, 50000), "headers": headers})


def test_the_client_is_the_peer_unless_the_peer_is_a_trusted_proxy() -> None:
    proxies = IdentitySettings(
        database_url=SETTINGS.database_url, environment="development", trusted_proxies=["10.0.0.0/8"]
    ).trusted_proxies

    assert client_address(request_from("203.0.113.7", "198.51.100.1"), proxies) == "203.0.113.7"
    assert client_address(request_from("10.1.2.3", "198.51.100.1"), proxies) == "198.51.100.1"
    # A client may send its own X-Forwarded-For: only the right-most untrusted hop counts.
    assert (
        client_address(request_from("10.1.2.3", "1.2.3.4, 198.51.100.1, 10.9.9.9"), proxies) == "198.51.100.1"
    )
    assert client_address(request_from("10.1.2.3", "not-an-address"), proxies) == "10.1.2.3"
    assert client_address(request_from("10.1.2.3"), proxies) == "10.1.2.3"
