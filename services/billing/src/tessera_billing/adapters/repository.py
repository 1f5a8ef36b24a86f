"""Every query billing makes, and the mapping between its rows and the domain's aggregates."""

from collections.abc import Collection
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tessera_billing.adapters.orm import (
    BillingModeRow,
    PartnerRelationshipRow,
    PayerAssignmentRow,
    ProductRow,
    SubscriptionRow,
)
from tessera_billing.adapters.orm_invoices import SubscriptionTagRow
from tessera_billing.domain.catalogue import PriceTier, Product, ProductKind
from tessera_billing.domain.money import Currency, Money
from tessera_billing.domain.periods import Period
from tessera_billing.domain.relationships import Access, BillingMode, Relationship
from tessera_billing.domain.subscriptions import Subscription
from tessera_billing.domain.timeline import Effective, Timeline


class CatalogueRepository:
    """The products billing sells."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list(self) -> list[Product]:
        """Every product, by code."""
        rows = await self._session.scalars(
            select(ProductRow)
            .options(selectinload(ProductRow.prices), selectinload(ProductRow.tiers))
            .order_by(ProductRow.code)
        )
        return [_product(row) for row in rows]

    async def get(self, code: str) -> Product | None:
        """One product, or None when the catalogue has no such code."""
        row = await self._session.scalar(
            select(ProductRow)
            .options(selectinload(ProductRow.prices), selectinload(ProductRow.tiers))
            .where(ProductRow.code == code)
        )
        return _product(row) if row is not None else None


def _product(row: ProductRow) -> Product:
    prices = {
        Currency(price.currency): Money(price.amount_minor, Currency(price.currency)) for price in row.prices
    }
    return Product(
        code=row.code,
        name=row.name,
        period=Period(row.period),
        prices=prices,
        kind=ProductKind(row.kind),
        tiers=tuple(PriceTier(tier.min_quantity, tier.discount_bp) for tier in row.tiers),
    )


class RelationshipRepository:
    """billing's projection of partnership's relationships."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._rows: dict[UUID, PartnerRelationshipRow] = {}

    async def get(self, relationship_id: UUID, *, for_update: bool = False) -> Relationship | None:
        """One relationship; ``for_update`` holds it until commit, so its mode cannot change meanwhile."""
        query = (
            select(PartnerRelationshipRow)
            .options(selectinload(PartnerRelationshipRow.modes))
            .where(PartnerRelationshipRow.relationship_id == relationship_id)
        )
        row = await self._session.scalar(query.with_for_update() if for_update else query)
        if row is None:
            return None
        self._rows[row.relationship_id] = row
        return Relationship(
            relationship_id=row.relationship_id,
            partner_organisation_id=row.partner_organisation_id,
            client_organisation_id=row.client_organisation_id,
            modes=Timeline(
                Effective(BillingMode(mode.billing_mode), mode.effective_from) for mode in row.modes
            ),
            access=Access(row.access) if row.access is not None else None,
            started_at=row.started_at,
            product_codes=tuple(row.product_codes or ()),
            ended_at=row.ended_at,
            staff_user_ids=frozenset(row.staff_user_ids or ()),
        )

    async def of_client_with(
        self, client_organisation_id: UUID, partners: Collection[UUID]
    ) -> list[Relationship]:
        """The client's relationships with any of ``partners`` (ended ones too)."""
        ids = await self._session.scalars(
            select(PartnerRelationshipRow.relationship_id).where(
                PartnerRelationshipRow.client_organisation_id == client_organisation_id,
                PartnerRelationshipRow.partner_organisation_id.in_(list(partners)),
            )
        )
        found = [await self.get(relationship_id) for relationship_id in ids]
        return [relationship for relationship in found if relationship is not None]

    async def save(self, relationship: Relationship) -> None:
        """Store a new or changed relationship."""
        row = self._rows.get(relationship.relationship_id)
        if row is None:
            row = PartnerRelationshipRow(relationship_id=relationship.relationship_id, modes=[])
            self._session.add(row)
            self._rows[row.relationship_id] = row
        row.partner_organisation_id = relationship.partner_organisation_id
        row.client_organisation_id = relationship.client_organisation_id
        row.access = relationship.access.value if relationship.access is not None else None
        row.started_at = relationship.started_at
        row.product_codes = list(relationship.product_codes)
        row.ended_at = relationship.ended_at
        row.staff_user_ids = sorted(relationship.staff_user_ids)
        row.modes = _reconciled_modes(row.modes, relationship)
        await self._session.flush()


def _reconciled_modes(rows: list[BillingModeRow], relationship: Relationship) -> list[BillingModeRow]:
    """The mode rows for the domain's history, updating rows in place where they exist.

    Updating in place (rather than deleting and re-inserting) keeps one flush free of key clashes.
    """
    wanted = {change.effective_from: change.value.value for change in relationship.modes.changes}
    kept = {row.effective_from: row for row in rows if row.effective_from in wanted}
    for effective_from, billing_mode in wanted.items():
        if effective_from in kept:
            kept[effective_from].billing_mode = billing_mode
        else:
            kept[effective_from] = BillingModeRow(effective_from=effective_from, billing_mode=billing_mode)
    return sorted(kept.values(), key=lambda row: row.effective_from)


class SubscriptionRepository:
    """Subscriptions and their payer assignments."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._rows: dict[UUID, SubscriptionRow] = {}

    async def owned_by(
        self, organisation_id: UUID, *, kind: ProductKind | None = None, tag_id: UUID | None = None
    ) -> list[Subscription]:
        """An organisation's subscriptions, oldest first; only of one kind, or carrying one tag, if asked."""
        query = select(SubscriptionRow).where(SubscriptionRow.owner_organisation_id == organisation_id)
        if kind is not None:
            query = query.where(SubscriptionRow.product_kind == kind.value)
        if tag_id is not None:
            query = query.where(
                SubscriptionRow.subscription_id.in_(
                    select(SubscriptionTagRow.subscription_id).where(SubscriptionTagRow.tag_id == tag_id)
                )
            )
        return await self._load(query)

    async def get(self, subscription_id: UUID, *, for_update: bool = False) -> Subscription | None:
        """One subscription; ``for_update`` holds it until commit (a renewal and a switch never cross)."""
        query = select(SubscriptionRow).where(SubscriptionRow.subscription_id == subscription_id)
        found = await self._load(query.with_for_update() if for_update else query)
        return found[0] if found else None

    async def count_owned(self, organisation_id: UUID, product_code: str) -> int:
        """How many subscriptions of a product an organisation holds (for volume tiers)."""
        count = await self._session.scalar(
            select(func.count()).where(
                SubscriptionRow.owner_organisation_id == organisation_id,
                SubscriptionRow.product_code == product_code,
                SubscriptionRow.cancelled_at.is_(None),
            )
        )
        return int(count or 0)

    async def next_renewal_on(self) -> date | None:
        """The earliest day a subscription falls due (None: nothing to renew)."""
        return await self._session.scalar(
            select(func.min(SubscriptionRow.next_renewal_on)).where(SubscriptionRow.cancelled_at.is_(None))
        )

    async def due_by(self, day: date, limit: int) -> list[UUID]:
        """Subscriptions with a renewal due on or before ``day``, earliest first."""
        rows = await self._session.scalars(
            select(SubscriptionRow.subscription_id)
            .where(SubscriptionRow.next_renewal_on <= day, SubscriptionRow.cancelled_at.is_(None))
            .order_by(SubscriptionRow.next_renewal_on)
            .limit(limit)
        )
        return list(rows)

    async def managed_under(self, relationship_id: UUID) -> list[Subscription]:
        """The subscriptions a relationship manages, locked until commit, oldest first."""
        return await self._load(
            select(SubscriptionRow)
            .where(SubscriptionRow.relationship_id == relationship_id)
            .with_for_update()
        )

    async def _load(self, query: Select[SubscriptionRow]) -> list[Subscription]:
        rows = await self._session.scalars(
            query.options(selectinload(SubscriptionRow.payer_assignments)).order_by(
                SubscriptionRow.ordered_at, SubscriptionRow.subscription_id
            )
        )
        subscriptions = []
        for row in rows:
            self._rows[row.subscription_id] = row
            subscriptions.append(_subscription(row))
        return subscriptions

    async def save(self, subscription: Subscription) -> None:
        """Store a new or changed subscription with its payer history."""
        row = self._rows.get(subscription.subscription_id)
        if row is None:
            row = SubscriptionRow(subscription_id=subscription.subscription_id, payer_assignments=[])
            self._session.add(row)
            self._rows[row.subscription_id] = row
        row.owner_organisation_id = subscription.owner_organisation_id
        row.relationship_id = subscription.relationship_id
        row.product_code = subscription.product_code
        row.product_name = subscription.product_name
        row.price_amount_minor = subscription.price.amount_minor
        row.price_currency = subscription.price.currency.value
        row.period = subscription.period.value
        row.ordered_at = subscription.ordered_at
        row.ordered_by_user_id = subscription.ordered_by_user_id
        row.ordered_by_organisation_id = subscription.ordered_by_organisation_id
        row.product_kind = subscription.kind.value
        row.cancelled_at = subscription.cancelled_at
        row.renewed_periods = subscription.renewed_periods
        row.next_renewal_on = subscription.next_renewal_on
        row.payer_assignments = _reconciled_payers(row.payer_assignments, subscription)
        await self._session.flush()


def _reconciled_payers(
    rows: list[PayerAssignmentRow], subscription: Subscription
) -> list[PayerAssignmentRow]:
    """The assignment rows for the domain's payer history, updating rows in place where they exist."""
    wanted = {change.effective_from: change.value for change in subscription.payer_history}
    kept: dict[datetime, PayerAssignmentRow] = {
        row.effective_from: row for row in rows if row.effective_from in wanted
    }
    for effective_from, payer in wanted.items():
        if effective_from in kept:
            kept[effective_from].payer_organisation_id = payer
        else:
            kept[effective_from] = PayerAssignmentRow(
                effective_from=effective_from, payer_organisation_id=payer
            )
    return sorted(kept.values(), key=lambda row: row.effective_from)


def _subscription(row: SubscriptionRow) -> Subscription:
    currency = Currency(row.price_currency)
    return Subscription(
        subscription_id=row.subscription_id,
        owner_organisation_id=row.owner_organisation_id,
        product_code=row.product_code,
        product_name=row.product_name,
        price=Money(row.price_amount_minor, currency),
        period=Period(row.period),
        ordered_at=row.ordered_at,
        ordered_by_user_id=row.ordered_by_user_id,
        relationship_id=row.relationship_id,
        payers=Timeline(
            Effective(assignment.payer_organisation_id, assignment.effective_from)
            for assignment in row.payer_assignments
        ),
        renewed_periods=row.renewed_periods,
        kind=ProductKind(row.product_kind),
        ordered_by_organisation_id=row.ordered_by_organisation_id,
        cancelled_at=row.cancelled_at,
    )
