"""Every query notify makes."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tessera_notify.adapters.orm import DeliveryRow, MembershipRow, OrganisationRow, UserRow
from tessera_notify.domain.deliveries import DeliveryStatus
from tessera_notify.domain.notices import Recipient

# The retry job LISTENs here; whoever moves a delivery's next attempt NOTIFYs, so it re-plans its sleep.
SCHEDULE_CHANNEL = "notify_delivery_schedule"


class RecipientRepository:
    """The projection of identity's organisations, users and memberships."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def save_organisation(self, organisation: OrganisationRow) -> None:
        """Insert the organisation, or overwrite what was known of it."""
        values = _column_values(organisation)
        statement = insert(OrganisationRow).values(values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[OrganisationRow.id],
                set_={name: statement.excluded[name] for name in values if name != "id"},
            )
        )

    async def save_user(self, user: UserRow) -> None:
        """Insert the user, or overwrite what was known of them."""
        values = _column_values(user)
        statement = insert(UserRow).values(values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[UserRow.id],
                set_={name: statement.excluded[name] for name in values if name != "id"},
            )
        )

    async def save_membership(self, organisation_id: UUID, user_id: UUID, role: str) -> None:
        """Record the member's role, replacing an earlier one."""
        statement = insert(MembershipRow).values(organisation_id=organisation_id, user_id=user_id, role=role)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[MembershipRow.organisation_id, MembershipRow.user_id],
                set_={"role": statement.excluded.role},
            )
        )

    async def organisation(self, organisation_id: UUID) -> Recipient | None:
        """The organisation as a recipient of e-mail, or None when identity has not told us of it."""
        row = await self._session.get(OrganisationRow, organisation_id)
        if row is None:
            return None
        return Recipient(
            organisation_id=row.id,
            name=row.name,
            address=row.billing_email,
            language=row.locale,
            country=row.country,
        )


class DeliveryRepository:
    """The delivery log, and the claims that keep two senders off the same e-mail."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_new(self, deliveries: Sequence[DeliveryRow]) -> int:
        """Insert the deliveries not yet recorded for their cause and recipient; returns how many."""
        if not deliveries:
            return 0
        inserted = await self._session.scalars(
            insert(DeliveryRow)
            .values([_column_values(delivery) for delivery in deliveries])
            .on_conflict_do_nothing(constraint="deliveries_once_per_recipient")
            .returning(DeliveryRow.id)
        )
        return len(inserted.all())

    async def claim_next_due(self, now: datetime, cause_event_id: UUID | None = None) -> DeliveryRow | None:
        """Lock the pending delivery due soonest, skipping any another sender holds.

        The lock lasts until this transaction ends, so no other sender (in this or another replica)
        can pick the same e-mail while it is being sent.
        """
        query = (
            select(DeliveryRow)
            .where(DeliveryRow.status == DeliveryStatus.PENDING.value, DeliveryRow.next_attempt_at <= now)
            .order_by(DeliveryRow.next_attempt_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if cause_event_id is not None:
            query = query.where(DeliveryRow.cause_event_id == cause_event_id)
        result: DeliveryRow | None = await self._session.scalar(query)
        return result

    async def next_attempt_at(self) -> datetime | None:
        """When the soonest pending delivery nobody is sending right now is due."""
        due: datetime | None = await self._session.scalar(
            select(DeliveryRow.next_attempt_at)
            .where(DeliveryRow.status == DeliveryStatus.PENDING.value)
            .order_by(DeliveryRow.next_attempt_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        return due

    async def announce_new_schedule(self) -> None:
        """Wake the retry jobs of every replica when this transaction commits."""
        await self._session.execute(text(f"NOTIFY {SCHEDULE_CHANNEL}"))

    async def for_organisation(
        self, organisation_id: UUID, status: DeliveryStatus | None, limit: int
    ) -> Sequence[DeliveryRow]:
        """The organisation's deliveries, newest first."""
        query = select(DeliveryRow).where(DeliveryRow.organisation_id == organisation_id)
        if status is not None:
            query = query.where(DeliveryRow.status == status.value)
        rows = await self._session.scalars(
            query.order_by(DeliveryRow.created_at.desc(), DeliveryRow.id).limit(limit)
        )
        return rows.all()


def _column_values(row: OrganisationRow | UserRow | DeliveryRow) -> dict[str, object]:
    return {column.key: getattr(row, column.key) for column in type(row).__table__.columns}
