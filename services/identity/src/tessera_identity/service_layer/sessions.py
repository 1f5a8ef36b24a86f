"""Signing in: a password for an access token."""

from dataclasses import dataclass
from datetime import timedelta

from tessera_identity.adapters.tokens import AccessGrant, sign_access_token
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.domain.signing_keys import signing_key_at
from tessera_identity.service_layer.errors import SigningUnavailable
from tessera_identity.service_layer.ports import Passwords
from tessera_kit.problems import Unauthenticated

# One message for an unknown address and a wrong password, so nobody learns who has an account.
_REFUSED = "the e-mail address or the password is wrong"


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


async def sign_in(
    uow: IdentityUnitOfWork, passwords: Passwords, policy: TokenPolicy, email: str, password: str
) -> IssuedToken:
    """An access token naming the person and their role in each of their organisations."""
    async with uow:
        user = await uow.users.with_email(email.strip())
    # Hashing is slow on purpose: check the password without holding a database connection.
    matches = await passwords.verify(user.password_hash if user else None, password)
    if user is None or not matches:
        raise Unauthenticated(_REFUSED)
    async with uow:
        now = uow.clock.now()
        key = signing_key_at(await uow.signing_keys.active(), now)
        if key is None:
            raise SigningUnavailable("no signing key yet; try again in a moment")
        memberships = await uow.organisations.memberships_of(user.id)
        grant = AccessGrant(
            user_id=user.id,
            roles={member.organisation_id: member.role for member in memberships},
            issued_at=now,
            lifetime=policy.lifetime,
            issuer=policy.issuer,
            audience=policy.audience,
        )
        token = sign_access_token(grant, key)
    if passwords.needs_rehash(user.password_hash):
        new_hash = await passwords.hash(password)
        async with uow:
            await uow.users.replace_password_hash(user.id, new_hash)
            await uow.commit()
    return IssuedToken(access_token=token, expires_in=int(policy.lifetime.total_seconds()))
