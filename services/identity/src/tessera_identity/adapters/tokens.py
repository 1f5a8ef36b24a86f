"""Access tokens: EdDSA-signed JWTs that every service verifies with identity's public keys."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import jwt

from tessera_identity.domain.model import Role
from tessera_identity.domain.signing_keys import SigningKey


@dataclass(frozen=True)
class AccessGrant:
    """What a token says: who the caller is and their role in each of their organisations.

    A token exchanged for an API token or an app password also says how it was obtained (``amr``),
    and carries the scopes it is limited to (``scope``, ``app``, ``api_token_id``). ``token_id``
    (``jti``) names this one token.
    """

    token_id: UUID
    user_id: UUID
    roles: dict[UUID, Role]
    issued_at: datetime
    lifetime: timedelta
    issuer: str
    audience: str
    method: str = "pwd"
    scopes: tuple[str, ...] = ()
    application: str | None = None
    api_token_id: UUID | None = None


def sign_access_token(grant: AccessGrant, key: SigningKey) -> str:
    """The grant as a compact JWT, signed with ``key`` and naming it in the ``kid`` header.

    ``iat`` has milliseconds (RFC 7519 allows fractions): a revocation is an instant every service
    compares ``iat`` with, and a token issued a moment after it must not be caught. ``exp`` is whole
    seconds, rounded down, so ``exp - iat`` never exceeds the lifetime, not even by a float's error.
    """
    issued_ms = _milliseconds(grant.issued_at)
    claims: dict[str, Any] = {
        "iss": grant.issuer,
        "aud": grant.audience,
        "sub": str(grant.user_id),
        "jti": str(grant.token_id),
        "orgs": {str(organisation): role.value for organisation, role in grant.roles.items()},
        "iat": issued_ms / 1000,
        "exp": (issued_ms + grant.lifetime // timedelta(milliseconds=1)) // 1000,
        "amr": [grant.method],
    }
    if grant.scopes:
        claims["scope"] = " ".join(grant.scopes)
    if grant.application:
        claims["app"] = grant.application
    if grant.api_token_id:
        claims["api_token_id"] = str(grant.api_token_id)
    return jwt.encode(
        claims, key.key_pair.private_key_pem, algorithm=key.algorithm, headers={"kid": key.key_id}
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _milliseconds(instant: datetime) -> int:
    """``instant`` as whole milliseconds since the Unix epoch, counted exactly (no float)."""
    return (instant - _EPOCH) // timedelta(milliseconds=1)
