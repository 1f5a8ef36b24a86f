"""Billing's HTTP API: the catalogue, and the subscriptions of an organisation."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, ConfigDict, Field

from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.domain.catalogue import Product
from tessera_billing.domain.money import Money
from tessera_billing.domain.periods import Period
from tessera_billing.domain.subscriptions import Subscription
from tessera_billing.service_layer.catalogue import list_catalogue
from tessera_billing.service_layer.subscriptions import list_subscriptions, order_subscription
from tessera_events import Currency
from tessera_kit.auth import Caller, authenticated_caller
from tessera_kit.problems import NotFound
from tessera_kit.service import runtime_of

router = APIRouter(prefix="/v1")


def unit_of_work(request: Request) -> BillingUnitOfWork:
    """A fresh unit of work for the request's use case (the use case opens and commits it)."""
    uow: BillingUnitOfWork = runtime_of(request).unit_of_work()
    return uow


UnitOfWorkDep = Annotated[BillingUnitOfWork, Depends(unit_of_work)]
CallerDep = Annotated[Caller, Depends(authenticated_caller)]


class MoneyView(BaseModel):
    """An amount in minor units, e.g. 11900 CHF is CHF 119.00."""

    amount_minor: int
    currency: Currency

    @classmethod
    def of(cls, money: Money) -> "MoneyView":
        """The view of an amount."""
        return cls(amount_minor=money.amount_minor, currency=Currency(money.currency.value))


class ProductView(BaseModel):
    """A product of the catalogue with its public price per period in each currency."""

    product_code: str
    name: str
    period: Period
    prices: list[MoneyView]

    @classmethod
    def of(cls, product: Product) -> "ProductView":
        """The view of a product."""
        return cls(
            product_code=product.code,
            name=product.name,
            period=product.period,
            prices=[MoneyView.of(price) for price in product.prices.values()],
        )


class PayerAssignmentView(BaseModel):
    """An organisation paying the renewals due from ``effective_from`` on."""

    payer_organisation_id: UUID
    effective_from: datetime


class SubscriptionView(BaseModel):
    """A product installed in its owner's organisation, and who pays for it."""

    subscription_id: UUID
    product_code: str
    product_name: str
    price: MoneyView
    owner_organisation_id: UUID
    relationship_id: UUID | None
    next_renewal_on: date
    payer_for_next_renewal_organisation_id: UUID
    payer_history: list[PayerAssignmentView]

    @classmethod
    def of(cls, subscription: Subscription) -> "SubscriptionView":
        """The view of a subscription."""
        return cls(
            subscription_id=subscription.subscription_id,
            product_code=subscription.product_code,
            product_name=subscription.product_name,
            price=MoneyView.of(subscription.price),
            owner_organisation_id=subscription.owner_organisation_id,
            relationship_id=subscription.relationship_id,
            next_renewal_on=subscription.next_renewal_on,
            payer_for_next_renewal_organisation_id=subscription.next_renewal().payer_organisation_id,
            payer_history=[
                PayerAssignmentView(payer_organisation_id=change.value, effective_from=change.effective_from)
                for change in subscription.payer_history
            ],
        )


class OrderSubscription(BaseModel):
    """Order a product for the organisation, optionally managed under a partner relationship."""

    model_config = ConfigDict(extra="forbid")

    product_code: str = Field(min_length=1, max_length=100)
    currency: Currency
    relationship_id: UUID | None = None


def _require_member(caller: Caller, organisation_id: UUID) -> None:
    if not caller.is_member_of(organisation_id):
        # Not 403: an outsider must not learn that the organisation exists.
        raise NotFound(f"organisation {organisation_id} not found")


@router.get("/catalogue", tags=["catalogue"], summary="Products and their public prices")
async def get_catalogue(uow: UnitOfWorkDep) -> list[ProductView]:
    """Every product with its public price per period in CHF and EUR; no token needed."""
    return [ProductView.of(product) for product in await list_catalogue(uow)]


@router.post(
    "/organisations/{organisation_id}/subscriptions",
    status_code=status.HTTP_201_CREATED,
    tags=["subscriptions"],
    summary="Order a product for an organisation",
)
async def post_subscription(
    organisation_id: UUID, order: OrderSubscription, caller: CallerDep, uow: UnitOfWorkDep
) -> SubscriptionView:
    """Install a product in the organisation; any member may order. 422 for an unknown product,
    404 for a relationship that is not the organisation's."""
    _require_member(caller, organisation_id)
    subscription = await order_subscription(
        uow,
        organisation_id=organisation_id,
        product_code=order.product_code,
        price_currency=order.currency,
        relationship_id=order.relationship_id,
        ordered_by_user_id=caller.user_id,
    )
    return SubscriptionView.of(subscription)


@router.get(
    "/organisations/{organisation_id}/subscriptions",
    tags=["subscriptions"],
    summary="The organisation's subscriptions and who pays them",
)
async def get_subscriptions(
    organisation_id: UUID, caller: CallerDep, uow: UnitOfWorkDep
) -> list[SubscriptionView]:
    """Every product installed in the organisation, with its payer history; members only."""
    _require_member(caller, organisation_id)
    return [
        SubscriptionView.of(subscription) for subscription in await list_subscriptions(uow, organisation_id)
    ]
