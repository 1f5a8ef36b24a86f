"""People's own accounts: create one (to be added to an organisation), change profile or password."""

from dataclasses import dataclass
from uuid import UUID

from tessera_events import identity as contract
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.domain.errors import EmailAlreadyRegistered, IdentityRuleBroken
from tessera_identity.domain.model import Locale, User, check_password_strength, normalise_email
from tessera_identity.service_layer.alerts import raise_alert
from tessera_identity.service_layer.attempts import AttemptKind, Throttle, attempt_succeeded, begin_attempt
from tessera_identity.service_layer.ports import Passwords
from tessera_identity.service_layer.revocation import end_sessions
from tessera_kit.problems import Conflict, InvalidInput, Unauthenticated


@dataclass(frozen=True)
class ProfileChange:
    """New values for a person's profile; None keeps a field. A new e-mail needs the password."""

    email: str | None = None
    display_name: str | None = None
    locale: Locale | None = None
    current_password: str | None = None


async def create_account(
    uow: IdentityUnitOfWork,
    passwords: Passwords,
    email: str,
    display_name: str,
    locale: Locale,
    password: str,
) -> User:
    """An account of its own, with no organisation yet: an organisation adds it by e-mail."""
    try:
        check_password_strength(password)
        user = User.register(
            email=email,
            display_name=display_name,
            locale=locale,
            password_hash=await passwords.hash(password),
            at=uow.clock.now(),
        )
    except IdentityRuleBroken as error:
        raise InvalidInput(str(error)) from error
    async with uow:
        try:
            await uow.users.add(user)
        except EmailAlreadyRegistered as error:
            raise Conflict(str(error)) from error
        uow.emit(
            contract.UserRegistered(
                user_id=user.id,
                email=user.email,
                display_name=user.display_name,
                locale=contract.Locale(user.locale),
            )
        )
        await uow.commit()
    return user


async def change_profile(
    uow: IdentityUnitOfWork, passwords: Passwords, user_id: UUID, change: ProfileChange, throttle: Throttle
) -> User:
    """Apply the change and announce the profile after it (UserProfileChanged)."""
    async with uow:
        before = await _user(uow, user_id)
    new_email = change.email is not None and _normalised(change.email) != before.email
    if new_email and not await password_matches(
        uow, passwords, throttle, before.email, before.password_hash, change.current_password or ""
    ):
        raise Unauthenticated("changing the e-mail address needs the current password (current_password)")
    async with uow:
        before = await _user(uow, user_id)
        try:
            after = before.with_profile(
                email=change.email, display_name=change.display_name, locale=change.locale
            )
            await uow.users.save_profile(after)
        except EmailAlreadyRegistered as error:
            raise Conflict(str(error)) from error
        except IdentityRuleBroken as error:
            raise InvalidInput(str(error)) from error
        if after != before:
            uow.emit(
                contract.UserProfileChanged(
                    user_id=user_id,
                    email=after.email,
                    display_name=after.display_name,
                    locale=contract.Locale(after.locale),
                    previous_email=before.email if after.email != before.email else None,
                    changed_at=uow.clock.now(),
                )
            )
            await uow.commit()
    return after


async def change_password(
    uow: IdentityUnitOfWork, passwords: Passwords, user_id: UUID, current: str, new: str, throttle: Throttle
) -> None:
    """Replace the password after checking the current one; the person is alerted.

    Whoever knew the old password may hold its tokens and app passwords: every app password is
    revoked, and every token issued until now is refused, here at once and in every service once
    SessionsRevoked is in. The person signs in again with the new password.
    """
    async with uow:
        user = await _user(uow, user_id)
    if not await password_matches(uow, passwords, throttle, user.email, user.password_hash, current):
        raise Unauthenticated("the current password is wrong")
    try:
        check_password_strength(new)
    except IdentityRuleBroken as error:
        raise InvalidInput(str(error)) from error
    new_hash = await passwords.hash(new)
    async with uow:
        await uow.users.replace_password_hash(user_id, new_hash)
        await uow.app_passwords.revoke(user_id, None, uow.clock.now())
        await end_sessions(uow, user_id, contract.SessionsRevokedReason.PASSWORD_CHANGED)
        raise_alert(uow, user_id, contract.SecurityAlertKind.PASSWORD_CHANGED)
        await uow.commit()


async def sign_out_everywhere(uow: IdentityUnitOfWork, user_id: UUID) -> None:
    """Refuse every token the person holds now, in every service (they sign in again)."""
    async with uow:
        await _user(uow, user_id)
        await end_sessions(uow, user_id, contract.SessionsRevokedReason.SIGNED_OUT_EVERYWHERE)
        await uow.commit()


async def confirm_password(
    uow: IdentityUnitOfWork, passwords: Passwords, user_id: UUID, password: str, throttle: Throttle
) -> User:
    """The account, once its password is confirmed again (for sensitive steps)."""
    async with uow:
        user = await _user(uow, user_id)
    if not await password_matches(uow, passwords, throttle, user.email, user.password_hash, password):
        raise Unauthenticated("the password is wrong; confirm it again to continue")
    return user


async def password_matches(
    uow: IdentityUnitOfWork,
    passwords: Passwords,
    throttle: Throttle,
    email: str,
    password_hash: str | None,
    password: str,
) -> bool:
    """Whether ``password`` is the account's, counted as an attempt at ``email`` (429 while limited).

    Counted per e-mail address whether or not an account has it, so a refusal tells nobody which
    addresses have accounts.
    """
    attempt = throttle.attempt(AttemptKind.PASSWORD, email)
    await begin_attempt(uow, throttle, attempt)
    # Hashing is slow on purpose: check the password without holding a database connection.
    if not await passwords.verify(password_hash, password):
        return False
    async with uow:
        await attempt_succeeded(uow, attempt)
        await uow.commit()
    return True


async def _user(uow: IdentityUnitOfWork, user_id: UUID) -> User:
    user = await uow.users.get(user_id)
    if user is None:
        raise Unauthenticated("the account this token names no longer exists")
    return user


def _normalised(email: str) -> str:
    try:
        return normalise_email(email)
    except IdentityRuleBroken as error:
        raise InvalidInput(str(error)) from error
