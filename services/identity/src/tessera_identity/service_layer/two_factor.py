"""Two-factor authentication: enrol an authenticator, confirm it, check codes, disable it, and the
recovery an identity operator decides when the device is lost."""

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from tessera_events import identity as contract
from tessera_identity.adapters import secrets, totp
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.domain.two_factor import BACKUP_CODE_COUNT, TwoFactor, TwoFactorRefused
from tessera_identity.service_layer.alerts import raise_alert
from tessera_identity.service_layer.errors import TooManyAttempts
from tessera_kit.problems import Conflict, InvalidInput, Unauthenticated

Alert = contract.SecurityAlertKind


@dataclass(frozen=True)
class Enrolment:
    """The secret to put in an authenticator app, also as an otpauth:// URI for a QR code."""

    secret: str
    otpauth_uri: str


async def enrol(uow: IdentityUnitOfWork, user_id: UUID) -> Enrolment:
    """Start 2FA: a new secret, pending until a code from it is confirmed."""
    secret = totp.new_totp_secret()
    async with uow:
        user = await uow.users.get(user_id)
        if user is None:
            raise Unauthenticated("the account this token names no longer exists")
        state = await uow.two_factor.of(user_id, for_update=True)
        await uow.two_factor.save(user_id, _refused_as_conflict(lambda: state.enrolling(secret)))
        await uow.commit()
    return Enrolment(secret, totp.provisioning_uri(secret, user.email))


async def confirm(uow: IdentityUnitOfWork, user_id: UUID, code: str) -> list[str]:
    """Turn 2FA on with a code from the new authenticator; the ten backup codes, shown this once."""
    async with uow:
        state = await uow.two_factor.of(user_id, for_update=True)
        if state.pending_secret is None:
            raise Conflict("start the enrolment first: no authenticator secret awaits confirmation")
        step = totp.matching_step(state.pending_secret, code, uow.clock.now().timestamp())
        if step is None:
            raise InvalidInput("that code does not match the new authenticator; check the device's clock")
        await uow.two_factor.save(
            user_id, _refused_as_conflict(lambda: state.confirmed(uow.clock.now(), step))
        )
        codes = await _new_backup_codes(uow, user_id)
        raise_alert(uow, user_id, Alert.TWO_FACTOR_ENABLED)
        await uow.commit()
    return codes


async def disable(uow: IdentityUnitOfWork, user_id: UUID, code: str) -> None:
    """Turn 2FA off with a current code or a backup code (the password is checked before)."""
    async with uow:
        await check_second_factor(uow, user_id, code, code, required=True)
        await uow.two_factor.save(user_id, TwoFactor())
        await uow.two_factor.replace_backup_codes(user_id, [], uow.clock.now())
        raise_alert(uow, user_id, Alert.TWO_FACTOR_DISABLED)
        await uow.commit()


async def regenerate_backup_codes(uow: IdentityUnitOfWork, user_id: UUID, code: str) -> list[str]:
    """Ten new backup codes (the old ones stop working), after a current code."""
    async with uow:
        await check_second_factor(uow, user_id, code, None, required=True)
        codes = await _new_backup_codes(uow, user_id)
        raise_alert(uow, user_id, Alert.BACKUP_CODES_REGENERATED)
        await uow.commit()
    return codes


async def check_second_factor(
    uow: IdentityUnitOfWork,
    user_id: UUID,
    totp_code: str | None,
    backup_code: str | None,
    *,
    required: bool = False,
) -> None:
    """Nothing if 2FA is off or a code matches (spending it, inside the caller's transaction);
    Unauthenticated otherwise. A TOTP code is accepted once: its time step is remembered."""
    state = await uow.two_factor.of(user_id, for_update=True)
    if not state.enabled or state.secret is None:
        if required:
            raise Conflict("two-factor authentication is not on")
        return
    if not totp_code and not backup_code:
        raise Unauthenticated(
            "two-factor authentication is on: send totp_code, or one of the backup codes as backup_code",
            two_factor_required=True,
        )
    now = uow.clock.now()
    if state.locked_at(now) and state.locked_until:
        raise TooManyAttempts("too many wrong two-factor codes: try again later", state.locked_until, now)
    if totp_code:
        step = totp.matching_step(state.secret, totp_code, now.timestamp())
        if step is not None and (state.last_step is None or step > state.last_step):
            await uow.two_factor.save(user_id, state.passed(step))
            return
    if backup_code and await uow.two_factor.use_backup_code(
        user_id, secrets.secret_hash(secrets.normalise_code(backup_code)), now
    ):
        await uow.two_factor.save(user_id, state.passed(None))
        return
    # The failure counts even though the caller's work is refused: commit it, then refuse.
    await uow.two_factor.save(user_id, state.failed(now))
    await uow.commit()
    raise Unauthenticated("the two-factor code is wrong or was already used", two_factor_required=True)


async def _new_backup_codes(uow: IdentityUnitOfWork, user_id: UUID) -> list[str]:
    codes = [secrets.new_backup_code() for _ in range(BACKUP_CODE_COUNT)]
    await uow.two_factor.replace_backup_codes(
        user_id, [secrets.secret_hash(c) for c in codes], uow.clock.now()
    )
    return codes


def _refused_as_conflict(step: Callable[[], TwoFactor]) -> TwoFactor:
    try:
        return step()
    except TwoFactorRefused as error:
        raise Conflict(str(error)) from error
