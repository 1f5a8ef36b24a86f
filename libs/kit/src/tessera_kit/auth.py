"""Access tokens: verified locally in every service against identity's published public keys.

identity signs short-lived JWTs (EdDSA) and publishes each public key as a SigningKeyPublished
event. Every service keeps those keys in its own database (``tessera_trusted_keys``), fed by the
handler below, so checking a token never calls identity.
"""

import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

import jwt
from fastapi import Request
from sqlalchemy import text

from tessera_events import CloudEvent
from tessera_events.identity import Role, SigningKeyPublished
from tessera_kit.consumers import EventHandlers
from tessera_kit.db import Database
from tessera_kit.problems import Unauthenticated
from tessera_kit.revocations import standing
from tessera_kit.uow import UnitOfWork

ALGORITHMS = ["EdDSA"]
# No signed access token is trusted for longer than this, whatever its ``exp`` says: revocation is
# checked on every request, but a short life bounds what a stolen token is worth.
MAX_TOKEN_LIFETIME_SECONDS = 600
CLOCK_SKEW_SECONDS = 5


# Who manages an organisation (its profile, members, money, partners): every service's rules say so.
MANAGER_ROLES = frozenset({Role.LEGAL_REPRESENTATIVE, Role.ADMINISTRATOR})


class TokenMethod(StrEnum):
    """How the caller obtained the access token (its ``amr`` claim)."""

    PASSWORD = "pwd"
    API_TOKEN = "api_token"
    APP_PASSWORD = "app_password"


@dataclass(frozen=True)
class Caller:
    """Who is calling, their role in each organisation (the token's, corrected by later changes),
    and what the token is limited to when it came from an API token or an app password."""

    user_id: UUID
    roles: dict[UUID, Role] = field(default_factory=dict)
    method: TokenMethod = TokenMethod.PASSWORD
    application: str | None = None
    scopes: frozenset[str] = frozenset()
    api_token_id: UUID | None = None

    def role_in(self, organisation_id: UUID) -> Role | None:
        """The caller's role in an organisation, or None when not a member."""
        return self.roles.get(organisation_id)

    def is_member_of(self, organisation_id: UUID) -> bool:
        """Whether the caller belongs to the organisation."""
        return organisation_id in self.roles


trusted_key_handlers: EventHandlers[UnitOfWork] = EventHandlers()


@trusted_key_handlers.on(SigningKeyPublished)
async def trust_signing_key(event: CloudEvent[SigningKeyPublished], uow: UnitOfWork) -> None:
    """Keep a public key identity published, so tokens it signs verify here."""
    key = event.data
    await uow.session.execute(
        text(
            "INSERT INTO tessera_trusted_keys (key_id, algorithm, public_key_pem, not_before, expires_at) "
            "VALUES (:key_id, :algorithm, :pem, :not_before, :expires_at) ON CONFLICT (key_id) DO UPDATE "
            "SET expires_at = EXCLUDED.expires_at"
        ),
        {
            "key_id": key.key_id,
            "algorithm": key.algorithm,
            "pem": key.public_key_pem,
            "not_before": key.not_before,
            "expires_at": key.expires_at,
        },
    )


class TokenVerifier:
    """Checks access tokens against the trusted keys, cached in memory and refreshed on a new key id."""

    def __init__(
        self,
        database: Database,
        *,
        audience: str,
        issuer: str,
        refresh_seconds: float = 30.0,
        max_lifetime_seconds: int = MAX_TOKEN_LIFETIME_SECONDS,
    ):
        self._database = database
        self._audience = audience
        self._issuer = issuer
        self._refresh_seconds = refresh_seconds
        self._max_lifetime_seconds = max_lifetime_seconds
        # key id -> (the public key, parsed once when loaded; its expiry as a Unix time, if any)
        self._keys: dict[str, tuple[Any, float | None]] = {}
        self._loaded_at = 0.0

    async def verify(self, token: str) -> Caller:
        """The caller a valid, unrevoked token names; Unauthenticated for anything else."""
        try:
            key_id = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"malformed access token: {error}") from error
        key = await self._key(str(key_id))
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "sub", "iat"]},
                # Hosts' clocks differ a little: a token identity issued "in the future" by a few
                # seconds is still good.
                leeway=CLOCK_SKEW_SECONDS,
            )
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"access token refused: {error}") from error
        if float(claims["exp"]) - float(claims["iat"]) > self._max_lifetime_seconds:
            raise Unauthenticated(f"access tokens live at most {self._max_lifetime_seconds} seconds")
        return await self._current(_caller_from(claims), _issued_at(claims))

    async def _current(self, caller: Caller, issued_at: datetime) -> Caller:
        """The caller as identity's later revocations and membership changes leave it."""
        async with self._database.session() as session:
            found = await standing(session, caller.user_id, issued_at, caller.api_token_id)
        if refusal := found.refusal(issued_at):
            raise Unauthenticated(refusal)
        if not found.changed_roles:
            return caller
        return replace(caller, roles=found.roles(caller.roles))

    async def _key(self, key_id: str) -> Any:
        age = time.monotonic() - self._loaded_at
        # An unknown key id may be a key just published; look again, but at most once a second,
        # so a flood of tokens with made-up key ids cannot turn into a flood of queries.
        if age > self._refresh_seconds or (key_id not in self._keys and age > 1.0):
            await self._load()
        entry = self._keys.get(key_id)
        if entry is None:
            raise Unauthenticated("access token signed with an unknown key")
        key, expires_at = entry
        if expires_at is not None and expires_at < time.time():
            raise Unauthenticated("access token signed with a retired key")
        return key

    async def _load(self) -> None:
        async with self._database.session() as session:
            rows = await session.execute(
                text(
                    "SELECT key_id, public_key_pem, extract(epoch FROM expires_at) AS expires "
                    "FROM tessera_trusted_keys WHERE not_before <= now()"
                )
            )
            # Parsed here, not per request: reading the PEM was a third of a token check's time.
            self._keys = {
                row.key_id: (
                    _public_key(row.public_key_pem),
                    float(row.expires) if row.expires is not None else None,
                )
                for row in rows
            }
        self._loaded_at = time.monotonic()


def _public_key(pem: str) -> Any:
    """The key object PyJWT verifies with; the PEM itself if it does not parse (then tokens fail)."""
    try:
        return jwt.get_algorithm_by_name(ALGORITHMS[0]).prepare_key(pem)
    except (jwt.PyJWTError, ValueError, TypeError):
        return pem


def _caller_from(claims: dict[str, Any]) -> Caller:
    try:
        roles = {UUID(org): Role(role) for org, role in dict(claims.get("orgs", {})).items()}
        methods = [str(method) for method in claims.get("amr", [TokenMethod.PASSWORD.value])]
        api_token_id = claims.get("api_token_id")
        return Caller(
            user_id=UUID(str(claims["sub"])),
            roles=roles,
            method=_method(methods),
            application=str(claims["app"]) if "app" in claims else None,
            scopes=frozenset(str(claims.get("scope", "")).split()),
            api_token_id=UUID(str(api_token_id)) if api_token_id else None,
        )
    except (ValueError, TypeError) as error:
        raise Unauthenticated(f"access token claims are malformed: {error}") from error


def _method(methods: list[str]) -> TokenMethod:
    # The most limited method wins, so a token can never claim more than its weakest origin.
    for method in (TokenMethod.APP_PASSWORD, TokenMethod.API_TOKEN):
        if method.value in methods:
            return method
    return TokenMethod.PASSWORD


def _issued_at(claims: dict[str, Any]) -> datetime:
    try:
        return datetime.fromtimestamp(float(claims["iat"]), UTC)
    except (ValueError, TypeError, OverflowError) as error:
        raise Unauthenticated(f"access token claims are malformed: {error}") from error


async def authenticated_caller(request: Request) -> Caller:
    """FastAPI dependency: the caller named by the request's bearer token (verified once per request)."""
    cached: Caller | None = getattr(request.state, "tessera_caller", None)
    if cached is not None:
        return cached
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("send an access token: 'Authorization: Bearer <token>'")
    verifier: TokenVerifier = request.app.state.token_verifier
    caller = await verifier.verify(token.strip())
    request.state.tessera_caller = caller
    return caller
