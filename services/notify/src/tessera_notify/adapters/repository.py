"""Every query notify makes."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tessera_kit.db import upsert
from tessera_notify.adapters.orm import (
    Base,
    DeliveryRow,
    InvoiceRow,
    MembershipRow,
    OrganisationPreferenceRow,
    OrganisationRow,
    ParkedEventRow,
    UserPreferenceRow,
    UserRow,
)
from tessera_notify.domain.catalogue import Category
from tessera_notify.domain.deliveries import DeliveryStatus
from tessera_notify.domain.notices import ORGANISATION, OrganisationContact, Person, Recipient
from tessera_notify.domain.rules import ADMINISTRATIVE_ROLES, LEGAL_REPRESENTATIVE

# The retry job LISTENs here; whoever moves a delivery's next attempt NOTIFYs, so it re-plans its sleep.
SCHEDULE_CHANNEL = "notify_delivery_schedule"


class RecipientRepository:
    """The projection of identity's organisations, users and memberships."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def save_organisation(self, organisation: OrganisationRow) -> None:
        """Insert the organisation, or overwrite what was known of it."""
        await self.save_organisations([organisation])

    async def save_organisations(self, organisations: Sequence[OrganisationRow]) -> None:
        """Insert or overwrite organisations in one statement (the last of several with one id wins)."""
        rows = list({row["id"]: row for row in map(_column_values, organisations)}.values())
        await upsert(self._session, OrganisationRow, rows, key="id")

    async def save_organisation_profile(self, organisation: OrganisationRow) -> None:
        """Overwrite an organisation's profile, keeping when it registered (inserted if unknown)."""
        values = _column_values(organisation)
        statement = insert(OrganisationRow).values(values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[OrganisationRow.id],
                set_={
                    name: statement.excluded[name] for name in values if name not in ("id", "registered_at")
                },
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

    async def remove_membership(self, organisation_id: UUID, user_id: UUID) -> None:
        """Forget that the user belongs to the organisation."""
        await self._session.execute(
            delete(MembershipRow).where(
                MembershipRow.organisation_id == organisation_id, MembershipRow.user_id == user_id
            )
        )

    async def role_of(self, organisation_id: UUID, user_id: UUID) -> str | None:
        """The user's role in the organisation, or None when not a member."""
        row = await self._session.get(MembershipRow, (organisation_id, user_id))
        return row.role if row else None

    async def organisation(self, organisation_id: UUID) -> Recipient | None:
        """The organisation's billing contact as a recipient, or None when identity has not told us of it."""
        contact = await self.contact(organisation_id)
        return contact.as_recipient() if contact else None

    async def contact(self, organisation_id: UUID) -> OrganisationContact | None:
        """The organisation as notify knows it, or None when identity has not told us of it."""
        row = await self._session.get(OrganisationRow, organisation_id)
        if row is None:
            return None
        return OrganisationContact(row.id, row.name, row.billing_email, row.locale, row.country)

    async def person(self, user_id: UUID) -> Person | None:
        """The user as notify knows them, or None when identity has not told us of them."""
        row = await self._session.get(UserRow, user_id)
        return Person(row.id, row.display_name, row.email, row.locale) if row else None

    async def administrators(self, organisation_id: UUID) -> list[Person]:
        """The organisation's legal representatives and administrators notify knows the address of."""
        rows = await self._session.execute(
            select(UserRow)
            .join(MembershipRow, MembershipRow.user_id == UserRow.id)
            .where(
                MembershipRow.organisation_id == organisation_id,
                MembershipRow.role.in_(sorted(ADMINISTRATIVE_ROLES)),
            )
            .order_by(UserRow.email)
        )
        return [Person(row.id, row.display_name, row.email, row.locale) for row in rows.scalars()]

    async def knows(self, kind: str, subject_id: UUID) -> bool:
        """Whether identity has told notify of this organisation (``kind`` "organisation") or person."""
        row_class = OrganisationRow if kind == ORGANISATION else UserRow
        return await self._session.get(row_class, subject_id) is not None

    async def has_legal_representative_besides(self, organisation_id: UUID, user_id: UUID) -> bool:
        """Whether someone other than ``user_id`` represents the organisation."""
        found = await self._session.scalar(
            select(MembershipRow.user_id)
            .where(
                MembershipRow.organisation_id == organisation_id,
                MembershipRow.role == LEGAL_REPRESENTATIVE,
                MembershipRow.user_id != user_id,
            )
            .limit(1)
        )
        return found is not None


class PreferenceRepository:
    """Which categories organisations and people switched off (or back on)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_organisation(self, organisation_id: UUID) -> dict[Category, bool]:
        """The organisation's explicit choices by category."""
        rows = await self._session.scalars(
            select(OrganisationPreferenceRow).where(
                OrganisationPreferenceRow.organisation_id == organisation_id
            )
        )
        return {Category(row.category): row.enabled for row in rows}

    async def of_user(self, user_id: UUID) -> dict[Category, bool]:
        """The person's explicit choices by category."""
        rows = await self._session.scalars(
            select(UserPreferenceRow).where(UserPreferenceRow.user_id == user_id)
        )
        return {Category(row.category): row.enabled for row in rows}

    async def choose_for_organisation(
        self, organisation_id: UUID, category: Category, enabled: bool, at: datetime, by_user_id: UUID
    ) -> None:
        """Record the organisation's choice for a category, replacing an earlier one."""
        statement = insert(OrganisationPreferenceRow).values(
            organisation_id=organisation_id,
            category=category.value,
            enabled=enabled,
            updated_at=at,
            updated_by_user_id=by_user_id,
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[
                    OrganisationPreferenceRow.organisation_id,
                    OrganisationPreferenceRow.category,
                ],
                set_={
                    "enabled": statement.excluded.enabled,
                    "updated_at": statement.excluded.updated_at,
                    "updated_by_user_id": statement.excluded.updated_by_user_id,
                },
            )
        )

    async def choose_for_user(self, user_id: UUID, category: Category, enabled: bool, at: datetime) -> None:
        """Record the person's choice for a category, replacing an earlier one."""
        statement = insert(UserPreferenceRow).values(
            user_id=user_id, category=category.value, enabled=enabled, updated_at=at
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[UserPreferenceRow.user_id, UserPreferenceRow.category],
                set_={"enabled": statement.excluded.enabled, "updated_at": statement.excluded.updated_at},
            )
        )

    async def organisation_choices(
        self, pairs: set[tuple[UUID, Category]]
    ) -> dict[tuple[UUID, Category], bool]:
        """The choices recorded for these (organisation, category) pairs."""
        if not pairs:
            return {}
        rows = await self._session.scalars(
            select(OrganisationPreferenceRow).where(
                tuple_(OrganisationPreferenceRow.organisation_id, OrganisationPreferenceRow.category).in_(
                    [(organisation, category.value) for organisation, category in pairs]
                )
            )
        )
        return {(row.organisation_id, Category(row.category)): row.enabled for row in rows}

    async def user_choices(self, pairs: set[tuple[UUID, Category]]) -> dict[tuple[UUID, Category], bool]:
        """The choices recorded for these (user, category) pairs."""
        if not pairs:
            return {}
        rows = await self._session.scalars(
            select(UserPreferenceRow).where(
                tuple_(UserPreferenceRow.user_id, UserPreferenceRow.category).in_(
                    [(user, category.value) for user, category in pairs]
                )
            )
        )
        return {(row.user_id, Category(row.category)): row.enabled for row in rows}


class InvoiceRepository:
    """Invoice numbers, so a payment e-mail can name the invoice it paid."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def remember(self, invoice_id: UUID, number: str, payer_organisation_id: UUID) -> None:
        """Record an issued invoice's number (the first word stands: numbers never change)."""
        await self._session.execute(
            insert(InvoiceRow)
            .values(id=invoice_id, number=number, payer_organisation_id=payer_organisation_id)
            .on_conflict_do_nothing()
        )

    async def number_of(self, invoice_id: UUID) -> str | None:
        """The invoice's number, or None when notify has not seen it issued."""
        row = await self._session.get(InvoiceRow, invoice_id)
        return row.number if row else None


@dataclass(frozen=True)
class ParkedEvent:
    """A parked event's CloudEvents JSON and the trace it arrived in."""

    envelope: str
    traceparent: str | None
    tracestate: str | None


class ParkedEventRepository:
    """Events waiting for identity to tell notify of an organisation or a person."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, waiting_for: str, subject_id: UUID) -> None:
        """Serialise parking for, and resuming on, one organisation or person until this transaction ends."""
        await self._session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"notify-parked:{waiting_for}:{subject_id}"},
        )

    async def lock_many(self, waiting_for: str, subject_ids: Collection[UUID]) -> None:
        """``lock`` for several organisations or people in one statement, in a fixed order (so two
        transactions locking overlapping sets cannot deadlock)."""
        keys = sorted(f"notify-parked:{waiting_for}:{subject_id}" for subject_id in set(subject_ids))
        await self._session.execute(
            text(
                "SELECT pg_advisory_xact_lock(hashtextextended(key, 0)) "
                "FROM unnest(CAST(:keys AS text[])) AS key"
            ),
            {"keys": keys},
        )

    async def park(self, event: ParkedEventRow) -> None:
        """Keep the event until what it waits for arrives (once: a second park of it changes nothing)."""
        await self._session.execute(
            insert(ParkedEventRow).values(_column_values(event)).on_conflict_do_nothing()
        )

    async def take(self, waiting_for: str, subject_id: UUID) -> list[ParkedEvent]:
        """Remove and return the events waiting for this organisation or person, oldest first."""
        return (await self.take_many(waiting_for, [subject_id])).get(subject_id, [])

    async def take_many(
        self, waiting_for: str, subject_ids: Collection[UUID]
    ) -> dict[UUID, list[ParkedEvent]]:
        """``take`` for several organisations or people in one statement: each one's events, oldest
        first (only those with any)."""
        rows = await self._session.execute(
            delete(ParkedEventRow)
            .where(
                ParkedEventRow.waiting_for == waiting_for,
                ParkedEventRow.waiting_for_id.in_(list(subject_ids)),
            )
            .returning(
                ParkedEventRow.waiting_for_id,
                ParkedEventRow.envelope,
                ParkedEventRow.occurred_at,
                ParkedEventRow.traceparent,
                ParkedEventRow.tracestate,
            )
        )
        taken: dict[UUID, list[ParkedEvent]] = {}
        for row in sorted(rows.all(), key=lambda row: row.occurred_at):
            event = ParkedEvent(row.envelope, row.traceparent, row.tracestate)
            taken.setdefault(row.waiting_for_id, []).append(event)
        return taken

    async def forget_older_than(self, occurred_before: datetime) -> None:
        """Drop parked events too old to tell anyone about anyway."""
        await self._session.execute(
            delete(ParkedEventRow).where(ParkedEventRow.occurred_at < occurred_before)
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

    async def claim_next_due(
        self,
        now: datetime,
        cause_event_ids: Collection[UUID] | None = None,
        shard: tuple[int, int] | None = None,
    ) -> DeliveryRow | None:
        """Lock the pending delivery due soonest (of those ``cause_event_ids`` caused, if given; of the
        recipients in shard ``(index, count)``, if given), skipping any another sender holds.

        The lock lasts until this transaction ends, so no other sender (in this or another replica)
        can pick the same e-mail while it is being sent. Senders working side by side take a shard
        each, so one person's e-mails still leave one after another, in the order they were written.
        """
        query = (
            select(DeliveryRow)
            .where(DeliveryRow.status == DeliveryStatus.PENDING.value, DeliveryRow.next_attempt_at <= now)
            .order_by(DeliveryRow.next_attempt_at, DeliveryRow.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if cause_event_ids is not None:
            query = query.where(DeliveryRow.cause_event_id.in_(list(cause_event_ids)))
        if shard is not None:
            index, count = shard
            bucket = func.hashtext(DeliveryRow.recipient).op("&")(0x7FFFFFFF) % count
            query = query.where(bucket == index)
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
        self, organisation_id: UUID, criteria: "DeliveryCriteria"
    ) -> Sequence[DeliveryRow]:
        """The organisation's deliveries matching ``criteria``, newest first."""
        return await self._matching(DeliveryRow.organisation_id == organisation_id, criteria)

    async def for_user(self, user_id: UUID, criteria: "DeliveryCriteria") -> Sequence[DeliveryRow]:
        """The deliveries written to one person (whatever organisation they concern), newest first."""
        return await self._matching(DeliveryRow.recipient_user_id == user_id, criteria)

    async def _matching(self, whose: Any, criteria: "DeliveryCriteria") -> Sequence[DeliveryRow]:
        query = select(DeliveryRow).where(whose)
        if criteria.status is not None:
            query = query.where(DeliveryRow.status == criteria.status.value)
        if criteria.notification is not None:
            query = query.where(DeliveryRow.notification == criteria.notification)
        if criteria.category is not None:
            query = query.where(DeliveryRow.category == criteria.category.value)
        rows = await self._session.scalars(
            query.order_by(DeliveryRow.created_at.desc(), DeliveryRow.id).limit(criteria.limit)
        )
        return rows.all()


@dataclass(frozen=True)
class DeliveryCriteria:
    """Which deliveries of the log to show."""

    status: DeliveryStatus | None = None
    notification: str | None = None
    category: Category | None = None
    limit: int = 100


def _column_values(row: Base) -> dict[str, object]:
    return {column.key: getattr(row, column.key) for column in type(row).__table__.columns}
