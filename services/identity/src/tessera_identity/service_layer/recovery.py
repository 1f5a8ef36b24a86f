"""Recovering sign-in after losing the authenticator: the person submits identity documents, an
identity operator reviews them, and approval turns 2FA off so they can sign in and enrol again."""

from uuid import UUID

from tessera_events import identity as contract
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.domain.two_factor import (
    RecoveryDocument,
    RecoveryRequest,
    RecoveryStatus,
    TwoFactor,
    TwoFactorRefused,
)
from tessera_identity.service_layer.accounts import password_matches
from tessera_identity.service_layer.alerts import raise_alert
from tessera_identity.service_layer.attempts import Throttle
from tessera_identity.service_layer.ports import Passwords
from tessera_identity.service_layer.revocation import end_sessions
from tessera_kit.problems import Conflict, InvalidInput, NotFound, Unauthenticated

Alert = contract.SecurityAlertKind


async def request_recovery(
    uow: IdentityUnitOfWork,
    passwords: Passwords,
    email: str,
    password: str,
    documents: tuple[RecoveryDocument, ...],
    message: str | None,
    throttle: Throttle,
) -> RecoveryRequest:
    """File a request for review; the password proves the first factor, the documents the person."""
    async with uow:
        user = await uow.users.with_email(email.strip())
    password_hash = user.password_hash if user else None
    if not await password_matches(uow, passwords, throttle, email, password_hash, password) or user is None:
        raise Unauthenticated("the e-mail address or the password is wrong")
    async with uow:
        if not (await uow.two_factor.of(user.id, for_update=True)).enabled:
            raise Conflict("two-factor authentication is not on for this account: sign in with the password")
        if await uow.two_factor.pending_recovery_of(user.id) is not None:
            raise Conflict("a recovery request of this account already awaits review")
        try:
            request = RecoveryRequest.submit(user.id, documents, message, uow.clock.now())
        except TwoFactorRefused as error:
            raise InvalidInput(str(error)) from error
        await uow.two_factor.add_recovery(request)
        raise_alert(uow, user.id, Alert.RECOVERY_REQUESTED)
        await uow.commit()
    return request


async def recovery_requests(uow: IdentityUnitOfWork, status: RecoveryStatus | None) -> list[RecoveryRequest]:
    """Requests for an operator to review (the caller must be an operator)."""
    async with uow:
        return await uow.two_factor.recoveries(status)


async def decide_recovery(
    uow: IdentityUnitOfWork, request_id: UUID, operator_id: UUID, approve: bool, reason: str | None
) -> RecoveryRequest:
    """Approve (2FA and backup codes reset, every session ended) or reject a pending request; the
    person is alerted."""
    async with uow:
        request = await uow.two_factor.recovery(request_id, for_update=True)
        if request is None:
            raise NotFound(f"no recovery request {request_id}")
        try:
            decided = request.decided(approve, operator_id, reason, uow.clock.now())
        except TwoFactorRefused as error:
            raise Conflict(str(error)) from error
        await uow.two_factor.save_decision(decided)
        if approve:
            await uow.two_factor.save(request.user_id, TwoFactor())
            await uow.two_factor.replace_backup_codes(request.user_id, [], uow.clock.now())
            # Whoever held the lost device may hold the person's sessions too: end them all.
            await end_sessions(uow, request.user_id, contract.SessionsRevokedReason.TWO_FACTOR_RESET)
            raise_alert(uow, request.user_id, Alert.RECOVERY_APPROVED)
        else:
            raise_alert(uow, request.user_id, Alert.RECOVERY_REJECTED, detail=reason)
        await uow.commit()
    return decided
