"""Queries on the cashback ledger, the billing history and product tags."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tessera_billing.adapters.orm import SubscriptionRow
from tessera_billing.adapters.orm_invoices import (
    CashbackEntryRow,
    HistoryEntryRow,
    SubscriptionTagRow,
    TagRow,
)
from tessera_billing.domain.ledgers import CashbackEntry, HistoryEntry, HistoryKind, Tag
from tessera_billing.domain.money import Currency, Money


class CashbackRepository:
    """Each partner's cashback ledger."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, entry: CashbackEntry) -> bool:
        """Record cashback earned on an invoice; False when that invoice already earned it (never twice)."""
        inserted = await self._session.scalar(
            insert(CashbackEntryRow)
            .values(
                entry_id=entry.entry_id,
                partner_organisation_id=entry.partner_organisation_id,
                client_organisation_id=entry.client_organisation_id,
                relationship_id=entry.relationship_id,
                invoice_id=entry.invoice_id,
                invoice_number=entry.invoice_number,
                rate_bp=entry.rate_bp,
                base_minor=entry.base.amount_minor,
                amount_minor=entry.amount.amount_minor,
                currency=entry.amount.currency.value,
                earned_at=entry.earned_at,
            )
            .on_conflict_do_nothing(index_elements=[CashbackEntryRow.invoice_id])
            .returning(CashbackEntryRow.entry_id)
        )
        return inserted is not None

    async def of_partner(
        self, partner_organisation_id: UUID, since: datetime | None, until: datetime | None
    ) -> list[CashbackEntry]:
        """A partner's entries in ``[since, until)``, oldest first."""
        query = select(CashbackEntryRow).where(
            CashbackEntryRow.partner_organisation_id == partner_organisation_id
        )
        if since is not None:
            query = query.where(CashbackEntryRow.earned_at >= since)
        if until is not None:
            query = query.where(CashbackEntryRow.earned_at < until)
        rows = await self._session.scalars(
            query.order_by(CashbackEntryRow.earned_at, CashbackEntryRow.entry_id)
        )
        return [
            CashbackEntry(
                entry_id=row.entry_id,
                partner_organisation_id=row.partner_organisation_id,
                client_organisation_id=row.client_organisation_id,
                relationship_id=row.relationship_id,
                invoice_id=row.invoice_id,
                invoice_number=row.invoice_number,
                rate_bp=row.rate_bp,
                base=Money(row.base_minor, Currency(row.currency)),
                amount=Money(row.amount_minor, Currency(row.currency)),
                earned_at=row.earned_at,
            )
            for row in rows
        ]


@dataclass(frozen=True)
class HistoryFilter:
    """Which entries of a history to list."""

    kinds: tuple[HistoryKind, ...] = ()
    currency: Currency | None = None
    since: datetime | None = None
    until: datetime | None = None


class HistoryRepository:
    """Each organisation's charges, refunds and credits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, entry: HistoryEntry) -> None:
        """Record an entry."""
        self._session.add(
            HistoryEntryRow(
                entry_id=entry.entry_id,
                organisation_id=entry.organisation_id,
                kind=entry.kind.value,
                invoice_id=entry.invoice_id,
                description=entry.description,
                amount_minor=entry.amount.amount_minor,
                currency=entry.amount.currency.value,
                occurred_at=entry.occurred_at,
            )
        )
        await self._session.flush()

    async def page(
        self, organisation_id: UUID, wanted: HistoryFilter, after: tuple[datetime, UUID] | None, limit: int
    ) -> list[HistoryEntry]:
        """Up to ``limit`` entries, newest first, strictly after the cursor ``(occurred_at, entry_id)``."""
        row = HistoryEntryRow
        query = select(row).where(row.organisation_id == organisation_id)
        if wanted.kinds:
            query = query.where(row.kind.in_([kind.value for kind in wanted.kinds]))
        if wanted.currency is not None:
            query = query.where(row.currency == wanted.currency.value)
        if wanted.since is not None:
            query = query.where(row.occurred_at >= wanted.since)
        if wanted.until is not None:
            query = query.where(row.occurred_at < wanted.until)
        if after is not None:
            at, entry_id = after
            query = query.where(
                or_(row.occurred_at < at, and_(row.occurred_at == at, row.entry_id < entry_id))
            )
        rows = await self._session.scalars(
            query.order_by(row.occurred_at.desc(), row.entry_id.desc()).limit(limit)
        )
        return [
            HistoryEntry(
                entry_id=found.entry_id,
                organisation_id=found.organisation_id,
                kind=HistoryKind(found.kind),
                invoice_id=found.invoice_id,
                description=found.description,
                amount=Money(found.amount_minor, Currency(found.currency)),
                occurred_at=found.occurred_at,
            )
            for found in rows
        ]


class TagRepository:
    """Organisations' tags and the products they are on."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of(self, organisation_id: UUID) -> list[Tag]:
        """An organisation's tags, by name."""
        rows = await self._session.scalars(
            select(TagRow).where(TagRow.organisation_id == organisation_id).order_by(func.lower(TagRow.name))
        )
        return [_tag(row) for row in rows]

    async def get(self, organisation_id: UUID, tag_id: UUID) -> Tag | None:
        """One of an organisation's tags."""
        row = await self._session.scalar(
            select(TagRow).where(TagRow.organisation_id == organisation_id, TagRow.tag_id == tag_id)
        )
        return _tag(row) if row is not None else None

    async def named(self, organisation_id: UUID, name: str) -> Tag | None:
        """The organisation's tag of that name, whatever its case (as the unique index folds it:
        PostgreSQL's ``lower``, which differs from Python's for some letters)."""
        row = await self._session.scalar(
            select(TagRow).where(
                TagRow.organisation_id == organisation_id, func.lower(TagRow.name) == func.lower(name)
            )
        )
        return _tag(row) if row is not None else None

    async def save(self, tag: Tag) -> None:
        """Store a new or changed tag."""
        row = await self._session.get(TagRow, tag.tag_id)
        if row is None:
            row = TagRow(tag_id=tag.tag_id, organisation_id=tag.organisation_id, created_at=tag.created_at)
            self._session.add(row)
        row.name = tag.name
        row.colour = tag.colour
        await self._session.flush()

    async def delete(self, tag_id: UUID) -> None:
        """Delete a tag; the foreign key's cascade takes it off every product."""
        await self._session.execute(delete(TagRow).where(TagRow.tag_id == tag_id))

    async def put_on(self, subscription_id: UUID, tag_id: UUID) -> None:
        """Put a tag on a product (again: nothing changes)."""
        await self._session.execute(
            insert(SubscriptionTagRow)
            .values(subscription_id=subscription_id, tag_id=tag_id)
            .on_conflict_do_nothing()
        )

    async def take_off(self, subscription_id: UUID, tag_id: UUID) -> None:
        """Take a tag off a product."""
        await self._session.execute(
            delete(SubscriptionTagRow).where(
                SubscriptionTagRow.subscription_id == subscription_id, SubscriptionTagRow.tag_id == tag_id
            )
        )

    async def on_products_of(self, organisation_id: UUID) -> dict[UUID, list[Tag]]:
        """The tags on each of an organisation's products."""
        rows = await self._session.execute(
            select(SubscriptionTagRow.subscription_id, TagRow)
            .join(TagRow, TagRow.tag_id == SubscriptionTagRow.tag_id)
            .join(SubscriptionRow, SubscriptionRow.subscription_id == SubscriptionTagRow.subscription_id)
            .where(SubscriptionRow.owner_organisation_id == organisation_id)
            .order_by(func.lower(TagRow.name))
        )
        tags: dict[UUID, list[Tag]] = {}
        for subscription_id, tag in rows.tuples():
            tags.setdefault(subscription_id, []).append(_tag(tag))
        return tags


def _tag(row: TagRow) -> Tag:
    return Tag(
        tag_id=row.tag_id,
        organisation_id=row.organisation_id,
        name=row.name,
        colour=row.colour,
        created_at=row.created_at,
    )
