"""Shapes billing's HTTP API answers with: money, products, subscriptions and tags."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel

from tessera_billing.domain.catalogue import Product, ProductKind
from tessera_billing.domain.ledgers import Tag
from tessera_billing.domain.money import Money
from tessera_billing.domain.periods import Period
from tessera_billing.domain.subscriptions import Subscription
from tessera_events import Currency


class MoneyView(BaseModel):
    """An amount in minor units, e.g. 11900 CHF is CHF 119.00."""

    amount_minor: int
    currency: Currency

    @classmethod
    def of(cls, money: Money) -> "MoneyView":
        """The view of an amount."""
        return cls(amount_minor=money.amount_minor, currency=Currency(money.currency.value))


class PriceTierView(BaseModel):
    """From the ``min_quantity``-th product of this code an organisation holds, ``discount_bp`` off."""

    min_quantity: int
    discount_bp: int


class ProductView(BaseModel):
    """A product of the catalogue with its public price per period in each currency."""

    product_code: str
    name: str
    kind: ProductKind
    period: Period
    prices: list[MoneyView]
    price_tiers: list[PriceTierView]

    @classmethod
    def of(cls, product: Product) -> "ProductView":
        """The view of a product."""
        return cls(
            product_code=product.code,
            name=product.name,
            kind=product.kind,
            period=product.period,
            prices=[MoneyView.of(price) for price in product.prices.values()],
            price_tiers=[
                PriceTierView(min_quantity=t.min_quantity, discount_bp=t.discount_bp) for t in product.tiers
            ],
        )


class TagView(BaseModel):
    """A coloured label on an organisation's products."""

    tag_id: UUID
    name: str
    colour: str

    @classmethod
    def of(cls, tag: Tag) -> "TagView":
        """The view of a tag."""
        return cls(tag_id=tag.tag_id, name=tag.name, colour=tag.colour)


class PayerAssignmentView(BaseModel):
    """An organisation paying the renewals due from ``effective_from`` on."""

    payer_organisation_id: UUID
    effective_from: datetime


class SubscriptionView(BaseModel):
    """A product installed in its owner's organisation, and who pays for it."""

    subscription_id: UUID
    product_code: str
    product_name: str
    kind: ProductKind
    price: MoneyView
    owner_organisation_id: UUID
    relationship_id: UUID | None
    ordered_by_user_id: UUID
    ordered_by_organisation_id: UUID
    next_renewal_on: date
    payer_for_next_renewal_organisation_id: UUID
    payer_history: list[PayerAssignmentView]
    tags: list[TagView]
    cancelled_at: datetime | None

    @classmethod
    def of(cls, subscription: Subscription, tags: list[Tag] | None = None) -> "SubscriptionView":
        """The view of a subscription."""
        return cls(
            subscription_id=subscription.subscription_id,
            product_code=subscription.product_code,
            product_name=subscription.product_name,
            kind=subscription.kind,
            price=MoneyView.of(subscription.price),
            owner_organisation_id=subscription.owner_organisation_id,
            relationship_id=subscription.relationship_id,
            ordered_by_user_id=subscription.ordered_by_user_id,
            ordered_by_organisation_id=subscription.ordered_by_organisation_id,
            next_renewal_on=subscription.next_renewal_on,
            payer_for_next_renewal_organisation_id=subscription.next_renewal().payer_organisation_id,
            payer_history=[
                PayerAssignmentView(payer_organisation_id=change.value, effective_from=change.effective_from)
                for change in subscription.payer_history
            ],
            tags=[TagView.of(tag) for tag in tags or []],
            cancelled_at=subscription.cancelled_at,
        )
