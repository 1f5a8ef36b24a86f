"""Signing access tokens with the current key, whatever was exchanged for them."""

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

from tessera_identity.adapters.tokens import AccessGrant, sign_access_token
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.domain.model import Role
from tessera_identity.domain.signing_keys import signing_key_at
from tessera_identity.service_layer.errors import SigningUnavailable


@dataclass(frozen=True)
class TokenPolicy:
    """How identity issues tokens: who it says it is, for whom, and for how long."""

    issuer: str
    audience: str
    lifetime: timedelta


@dataclass(frozen=True)
class IssuedToken:
    """A signed access token and how many seconds it lasts."""

    access_token: str
    expires_in: int


@dataclass(frozen=True)
class Claims:
    """Who a token names and what it allows, before signing."""

    user_id: UUID
    roles: dict[UUID, Role]
    method: str = "pwd"
    scopes: tuple[str, ...] = ()
    application: str | None = None
    api_token_id: UUID | None = None


async def issue(uow: IdentityUnitOfWork, policy: TokenPolicy, claims: Claims) -> IssuedToken:
    """An access token for ``claims``, signed with the key that signs now (inside an open unit of work)."""
    now = uow.clock.now()
    key = signing_key_at(await uow.signing_keys.active(), now)
    if key is None:
        raise SigningUnavailable("no signing key yet; try again in a moment")
    grant = AccessGrant(
        token_id=uuid4(),
        user_id=claims.user_id,
        roles=claims.roles,
        issued_at=now,
        lifetime=policy.lifetime,
        issuer=policy.issuer,
        audience=policy.audience,
        method=claims.method,
        scopes=claims.scopes,
        application=claims.application,
        api_token_id=claims.api_token_id,
    )
    return IssuedToken(sign_access_token(grant, key), int(policy.lifetime.total_seconds()))
