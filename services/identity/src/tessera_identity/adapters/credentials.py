"""Queries for what people sign in with besides their password: 2FA, app passwords, API tokens."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tessera_identity.adapters.orm import (
    ApiTokenRow,
    AppPasswordRow,
    BackupCodeRow,
    RecoveryRequestRow,
    UserRow,
)
from tessera_identity.adapters.secrets import SecretBox
from tessera_identity.domain.api_tokens import (
    UNUSED_LIFETIME,
    WARNING_NOTICE,
    ApiToken,
    Application,
    DeactivationReason,
)
from tessera_identity.domain.app_passwords import AppPassword
from tessera_identity.domain.two_factor import (
    RecoveryDocument,
    RecoveryRequest,
    RecoveryStatus,
    TwoFactor,
)

# The sweep looks at tokens idle long enough to be warned; deactivation comes later still.
_WARN_AFTER = UNUSED_LIFETIME - WARNING_NOTICE


class TwoFactorRepository:
    """TOTP secrets (sealed at rest by ``box``), backup codes and recovery requests."""

    def __init__(self, session: AsyncSession, box: SecretBox) -> None:
        self._session = session
        self._box = box

    async def of(self, user_id: UUID, *, for_update: bool = False) -> TwoFactor:
        """A person's 2FA state; ``for_update`` locks it so a code is accepted once."""
        query = select(
            UserRow.totp_secret,
            UserRow.totp_pending_secret,
            UserRow.totp_enabled_at,
            UserRow.totp_last_step,
            UserRow.second_factor_failures,
            UserRow.second_factor_locked_until,
        ).where(UserRow.id == user_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).one()
        return TwoFactor(
            self._box.open(row.totp_secret),
            self._box.open(row.totp_pending_secret),
            row.totp_enabled_at,
            row.totp_last_step,
            row.second_factor_failures,
            row.second_factor_locked_until,
        )

    async def save(self, user_id: UUID, state: TwoFactor) -> None:
        """Store a person's 2FA state."""
        await self._session.execute(
            update(UserRow)
            .where(UserRow.id == user_id)
            .values(
                totp_secret=self._box.seal(state.secret),
                totp_pending_secret=self._box.seal(state.pending_secret),
                totp_enabled_at=state.enabled_at,
                totp_last_step=state.last_step,
                second_factor_failures=state.failures,
                second_factor_locked_until=state.locked_until,
            )
        )

    async def replace_backup_codes(self, user_id: UUID, code_hashes: list[str], at: datetime) -> None:
        """Forget a person's backup codes and keep these instead (empty: none)."""
        await self._session.execute(delete(BackupCodeRow).where(BackupCodeRow.user_id == user_id))
        self._session.add_all(BackupCodeRow(code_hash=h, user_id=user_id, created_at=at) for h in code_hashes)
        await self._session.flush()

    async def use_backup_code(self, user_id: UUID, code_hash: str, at: datetime) -> bool:
        """Spend an unused backup code; False if there is none such (or it was spent already)."""
        spent = await self._session.execute(
            update(BackupCodeRow)
            .where(
                BackupCodeRow.user_id == user_id,
                BackupCodeRow.code_hash == code_hash,
                BackupCodeRow.used_at.is_(None),
            )
            .values(used_at=at)
            .returning(BackupCodeRow.code_hash)
        )
        return spent.first() is not None

    async def unused_backup_codes(self, user_id: UUID) -> int:
        """How many backup codes a person has left."""
        count = await self._session.scalar(
            select(func.count()).where(BackupCodeRow.user_id == user_id, BackupCodeRow.used_at.is_(None))
        )
        return int(count or 0)

    async def add_recovery(self, request: RecoveryRequest) -> None:
        """Store a new recovery request."""
        self._session.add(
            RecoveryRequestRow(
                id=request.id,
                user_id=request.user_id,
                status=request.status.value,
                documents=[
                    {"kind": d.kind, "filename": d.filename, "sha256": d.sha256} for d in request.documents
                ],
                message=request.message,
                submitted_at=request.submitted_at,
            )
        )
        await self._session.flush()

    async def pending_recovery_of(self, user_id: UUID) -> RecoveryRequest | None:
        """A person's pending recovery request, if any."""
        row = await self._session.scalar(
            select(RecoveryRequestRow).where(
                RecoveryRequestRow.user_id == user_id,
                RecoveryRequestRow.status == RecoveryStatus.PENDING.value,
            )
        )
        return _recovery(row) if row else None

    async def recovery(self, request_id: UUID, *, for_update: bool = False) -> RecoveryRequest | None:
        """One recovery request, or None."""
        query = select(RecoveryRequestRow).where(RecoveryRequestRow.id == request_id)
        row = await self._session.scalar(query.with_for_update() if for_update else query)
        return _recovery(row) if row else None

    async def recoveries(self, status: RecoveryStatus | None) -> list[RecoveryRequest]:
        """Recovery requests, oldest first, optionally only those in one status."""
        query = select(RecoveryRequestRow).order_by(RecoveryRequestRow.submitted_at)
        if status is not None:
            query = query.where(RecoveryRequestRow.status == status.value)
        return [_recovery(row) for row in await self._session.scalars(query)]

    async def save_decision(self, request: RecoveryRequest) -> None:
        """Store the operator's decision on a request."""
        await self._session.execute(
            update(RecoveryRequestRow)
            .where(RecoveryRequestRow.id == request.id)
            .values(
                status=request.status.value,
                decided_at=request.decided_at,
                decided_by=request.decided_by,
                decision_reason=request.decision_reason,
            )
        )


class AppPasswordRepository:
    """App passwords, by hash."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, password: AppPassword, secret_hash: str) -> None:
        """Store a new app password."""
        self._session.add(
            AppPasswordRow(
                id=password.id,
                user_id=password.user_id,
                name=password.name,
                secret_hash=secret_hash,
                created_at=password.created_at,
            )
        )
        await self._session.flush()

    async def of(self, user_id: UUID) -> list[AppPassword]:
        """A person's app passwords that still work, newest first."""
        rows = await self._session.scalars(
            select(AppPasswordRow)
            .where(AppPasswordRow.user_id == user_id, AppPasswordRow.revoked_at.is_(None))
            .order_by(AppPasswordRow.created_at.desc())
        )
        return [_app_password(row) for row in rows]

    async def use(self, user_id: UUID, secret_hash: str, at: datetime) -> AppPassword | None:
        """Record a use of the person's working app password with this hash; None if there is none."""
        row = await self._session.scalar(
            update(AppPasswordRow)
            .where(
                AppPasswordRow.user_id == user_id,
                AppPasswordRow.secret_hash == secret_hash,
                AppPasswordRow.revoked_at.is_(None),
            )
            .values(last_used_at=at)
            .returning(AppPasswordRow)
        )
        return _app_password(row) if row else None

    async def revoke(self, user_id: UUID, password_id: UUID | None, at: datetime) -> list[AppPassword]:
        """Revoke one of the person's app passwords (or all, with None); the ones revoked."""
        query = update(AppPasswordRow).where(
            AppPasswordRow.user_id == user_id, AppPasswordRow.revoked_at.is_(None)
        )
        if password_id is not None:
            query = query.where(AppPasswordRow.id == password_id)
        rows = await self._session.scalars(query.values(revoked_at=at).returning(AppPasswordRow))
        return [_app_password(row) for row in rows]


class ApiTokenRepository:
    """API tokens, by hash."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, token: ApiToken, secret_hash: str) -> None:
        """Store a new token."""
        self._session.add(
            ApiTokenRow(
                id=token.id,
                organisation_id=token.organisation_id,
                owner_user_id=token.owner_user_id,
                name=token.name,
                application=token.application.value,
                permissions=list(token.permissions),
                secret_hash=secret_hash,
                created_at=token.created_at,
                expires_at=token.expires_at,
            )
        )
        await self._session.flush()

    async def get(self, token_id: UUID, *, for_update: bool = False) -> ApiToken | None:
        """One token, or None."""
        query = select(ApiTokenRow).where(ApiTokenRow.id == token_id)
        row = await self._session.scalar(query.with_for_update() if for_update else query)
        return _api_token(row) if row else None

    async def with_secret(self, secret_hash: str) -> ApiToken | None:
        """The token whose secret hashes to ``secret_hash``, locked for this transaction, or None."""
        row = await self._session.scalar(
            select(ApiTokenRow).where(ApiTokenRow.secret_hash == secret_hash).with_for_update()
        )
        return _api_token(row) if row else None

    async def of_organisation(self, organisation_id: UUID, owner_user_id: UUID | None) -> list[ApiToken]:
        """An organisation's tokens (only one owner's, if given), newest first."""
        query = select(ApiTokenRow).where(ApiTokenRow.organisation_id == organisation_id)
        if owner_user_id is not None:
            query = query.where(ApiTokenRow.owner_user_id == owner_user_id)
        rows = await self._session.scalars(query.order_by(ApiTokenRow.created_at.desc()))
        return [_api_token(row) for row in rows]

    async def save(self, token: ApiToken) -> None:
        """Store a token's use, warning and deactivation."""
        await self._session.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.id == token.id)
            .values(
                last_used_at=token.last_used_at,
                deactivation_warned_at=token.deactivation_warned_at,
                deactivated_at=token.deactivated_at,
                deactivation_reason=token.deactivation_reason.value if token.deactivation_reason else None,
            )
        )

    async def claim_due(self, instant: datetime, limit: int) -> list[ApiToken]:
        """Active tokens the sweep has work on at ``instant`` (the SQL twin of ``sweep_action``), locked,
        skipping those another replica's sweep holds, so two sweeps never act on one token."""
        idle_since = func.coalesce(ApiTokenRow.last_used_at, ApiTokenRow.created_at)
        rows = await self._session.scalars(
            select(ApiTokenRow)
            .where(
                ApiTokenRow.deactivated_at.is_(None),
                (ApiTokenRow.expires_at <= instant)
                | (ApiTokenRow.deactivation_warned_at.is_(None) & (idle_since <= instant - _WARN_AFTER))
                | (
                    (ApiTokenRow.deactivation_warned_at <= instant - WARNING_NOTICE)
                    & (idle_since <= instant - UNUSED_LIFETIME)
                ),
            )
            .order_by(ApiTokenRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_api_token(row) for row in rows]

    async def earliest_active(self, limit: int) -> list[ApiToken]:
        """The active tokens the sweep will next have work on (by idle time and expiry)."""
        idle_since = func.coalesce(ApiTokenRow.last_used_at, ApiTokenRow.created_at)
        by_idle = await self._session.scalars(
            select(ApiTokenRow).where(ApiTokenRow.deactivated_at.is_(None)).order_by(idle_since).limit(limit)
        )
        by_expiry = await self._session.scalars(
            select(ApiTokenRow)
            .where(ApiTokenRow.deactivated_at.is_(None), ApiTokenRow.expires_at.is_not(None))
            .order_by(ApiTokenRow.expires_at)
            .limit(limit)
        )
        return [_api_token(row) for row in (*by_idle, *by_expiry)]


def _recovery(row: RecoveryRequestRow) -> RecoveryRequest:
    return RecoveryRequest(
        id=row.id,
        user_id=row.user_id,
        documents=tuple(RecoveryDocument(**d) for d in row.documents),
        message=row.message,
        submitted_at=row.submitted_at,
        status=RecoveryStatus(row.status),
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        decision_reason=row.decision_reason,
    )


def _app_password(row: AppPasswordRow) -> AppPassword:
    return AppPassword(row.id, row.user_id, row.name, row.created_at, row.last_used_at, row.revoked_at)


def _api_token(row: ApiTokenRow) -> ApiToken:
    return ApiToken(
        id=row.id,
        organisation_id=row.organisation_id,
        owner_user_id=row.owner_user_id,
        name=row.name,
        application=Application(row.application),
        permissions=tuple(row.permissions),
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        deactivation_warned_at=row.deactivation_warned_at,
        deactivated_at=row.deactivated_at,
        deactivation_reason=DeactivationReason(row.deactivation_reason) if row.deactivation_reason else None,
    )
