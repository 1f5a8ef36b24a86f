"""App passwords: made for one device or program, shown once, and accepted even with 2FA on.

They are for the hosting provider's mail, calendar and contacts servers (IMAP, SMTP, CalDAV,
CardDAV), which verify the access token an app password yields with identity's public keys. No
Tessera HTTP route accepts that token (the kit answers 403): an app password, typed into every
phone and laptop the person owns, must never manage an account, an organisation or money.
"""

from dataclasses import dataclass
from uuid import UUID

from tessera_events import identity as contract
from tessera_identity.adapters import secrets
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.domain.app_passwords import AppPassword, InvalidAppPassword
from tessera_identity.service_layer.alerts import raise_alert
from tessera_identity.service_layer.attempts import AttemptKind, Throttle, attempt_succeeded, begin_attempt
from tessera_identity.service_layer.issuing import Claims, IssuedToken, TokenPolicy, issue
from tessera_kit.problems import InvalidInput, NotFound, Unauthenticated

# What a mail, calendar or contacts server lets the token do; it carries no organisation's roles.
APP_PASSWORD_SCOPES = ("calendar", "contacts", "mail")


@dataclass(frozen=True)
class CreatedAppPassword:
    """A new app password and its secret, which is never shown again."""

    app_password: AppPassword
    password: str


async def create_app_password(uow: IdentityUnitOfWork, user_id: UUID, name: str) -> CreatedAppPassword:
    """Generate an app password; the person is alerted."""
    password = secrets.new_app_password()
    async with uow:
        try:
            app_password = AppPassword.create(user_id, name, uow.clock.now())
        except InvalidAppPassword as error:
            raise InvalidInput(str(error)) from error
        await uow.app_passwords.add(app_password, secrets.secret_hash(password))
        raise_alert(uow, user_id, contract.SecurityAlertKind.APP_PASSWORD_CREATED, detail=app_password.name)
        await uow.commit()
    return CreatedAppPassword(app_password, password)


async def app_passwords_of(uow: IdentityUnitOfWork, user_id: UUID) -> list[AppPassword]:
    """A person's working app passwords, without their secrets."""
    async with uow:
        return await uow.app_passwords.of(user_id)


async def revoke_app_passwords(uow: IdentityUnitOfWork, user_id: UUID, password_id: UUID | None) -> int:
    """Revoke one app password, or all with None; how many were revoked."""
    async with uow:
        revoked = await uow.app_passwords.revoke(user_id, password_id, uow.clock.now())
        if password_id is not None and not revoked:
            raise NotFound(f"no working app password {password_id} of yours")
        await uow.commit()
    return len(revoked)


async def authenticate_app_password(
    uow: IdentityUnitOfWork, policy: TokenPolicy, email: str, password: str, throttle: Throttle
) -> tuple[UUID, IssuedToken]:
    """The person an app password belongs to and a mail-scoped access token; records the use.

    Failures are limited like password sign-ins, with a count of their own per account: a mail
    client retrying a revoked app password must not lock its owner's password sign-in out.
    """
    attempt = throttle.attempt(AttemptKind.APP_PASSWORD, email)
    await begin_attempt(uow, throttle, attempt)
    async with uow:
        user = await uow.users.with_email(email.strip())
        used = (
            await uow.app_passwords.use(user.id, secrets.secret_hash(password.strip()), uow.clock.now())
            if user
            else None
        )
        if user is None or used is None:
            raise Unauthenticated("the e-mail address or the app password is wrong")
        issued = await issue(
            uow, policy, Claims(user.id, {}, method="app_password", scopes=APP_PASSWORD_SCOPES)
        )
        await attempt_succeeded(uow, attempt)
        await uow.commit()
    return user.id, issued
