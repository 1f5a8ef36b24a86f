"""Signing in: a password, and the second factor when 2FA is on, for an access token."""

from dataclasses import dataclass

from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.service_layer.accounts import password_matches
from tessera_identity.service_layer.attempts import Throttle
from tessera_identity.service_layer.issuing import Claims, IssuedToken, TokenPolicy, issue
from tessera_identity.service_layer.ports import Passwords
from tessera_identity.service_layer.two_factor import check_second_factor
from tessera_kit.problems import Unauthenticated

__all__ = ["IssuedToken", "SecondFactor", "TokenPolicy", "sign_in"]

# One message for an unknown address and a wrong password, so nobody learns who has an account.
_REFUSED = "the e-mail address or the password is wrong"


@dataclass(frozen=True)
class SecondFactor:
    """A code from the authenticator app, or one of the backup codes."""

    totp_code: str | None = None
    backup_code: str | None = None


async def sign_in(
    uow: IdentityUnitOfWork,
    passwords: Passwords,
    policy: TokenPolicy,
    email: str,
    password: str,
    throttle: Throttle,
    second: SecondFactor = SecondFactor(),
) -> IssuedToken:
    """An access token naming the person and their role in each of their organisations.

    With 2FA on, a right password without a code is refused with ``two_factor_required``, so the
    front end asks for the code and sends both again. Failed sign-ins are limited per e-mail
    address and per client address (429 with Retry-After, the right password too, while limited).
    """
    async with uow:
        user = await uow.users.with_email(email.strip())
    password_hash = user.password_hash if user else None
    matches = await password_matches(uow, passwords, throttle, email, password_hash, password)
    if user is None or not matches:
        raise Unauthenticated(_REFUSED)
    async with uow:
        await check_second_factor(uow, user.id, second.totp_code, second.backup_code)
        memberships = await uow.organisations.memberships_of(user.id)
        roles = {member.organisation_id: member.role for member in memberships}
        issued = await issue(uow, policy, Claims(user.id, roles))
        await uow.commit()  # a spent backup code or TOTP step stays spent
    if passwords.needs_rehash(user.password_hash):
        new_hash = await passwords.hash(password)
        async with uow:
            await uow.users.replace_password_hash(user.id, new_hash)
            await uow.commit()
    return issued
