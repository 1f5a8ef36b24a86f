"""Access tokens: EdDSA-signed JWTs that every service verifies with identity's public keys."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import jwt

from tessera_identity.domain.model import Role
from tessera_identity.domain.signing_keys import SigningKey


@dataclass(frozen=True)
class AccessGrant:
    """What a token says: who the caller is and their role in each of their organisations."""

    user_id: UUID
    roles: dict[UUID, Role]
    issued_at: datetime
    lifetime: timedelta
    issuer: str
    audience: str


def sign_access_token(grant: AccessGrant, key: SigningKey) -> str:
    """The grant as a compact JWT, signed with ``key`` and naming it in the ``kid`` header."""
    claims = {
        "iss": grant.issuer,
        "aud": grant.audience,
        "sub": str(grant.user_id),
        "orgs": {str(organisation): role.value for organisation, role in grant.roles.items()},
        "iat": int(grant.issued_at.timestamp()),
        "exp": int((grant.issued_at + grant.lifetime).timestamp()),
    }
    return jwt.encode(
        claims, key.key_pair.private_key_pem, algorithm=key.algorithm, headers={"kid": key.key_id}
    )
