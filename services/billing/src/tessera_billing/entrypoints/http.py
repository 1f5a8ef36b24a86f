"""Billing's HTTP API: the catalogue, and ordering and listing an organisation's subscriptions."""

from uuid import UUID

from fastapi import APIRouter, status
from pydantic import Field

from tessera_billing.domain.catalogue import ProductKind
from tessera_billing.entrypoints.dependencies import CallerDep, UnitOfWorkDep
from tessera_billing.entrypoints.views import ProductView, SubscriptionView
from tessera_billing.service_layer.catalogue import list_catalogue
from tessera_billing.service_layer.subscriptions import (
    cancel_subscription,
    order_subscription,
    visible_subscriptions,
)
from tessera_events import Currency
from tessera_kit.inputs import RequestBody
from tessera_kit.permissions import BILLING, public, requires

router = APIRouter(prefix="/v1")


class OrderSubscription(RequestBody):
    """Order a product for the organisation, optionally managed under a partner relationship."""

    product_code: str = Field(min_length=1, max_length=100)
    currency: Currency
    relationship_id: UUID | None = None


@router.get(
    "/catalogue", tags=["catalogue"], summary="Products and their public prices", dependencies=[public()]
)
async def get_catalogue(uow: UnitOfWorkDep) -> list[ProductView]:
    """Every product: its kind, public price per period in CHF and EUR, and volume tiers; no token needed."""
    return [ProductView.of(product) for product in await list_catalogue(uow)]


@router.post(
    "/organisations/{organisation_id}/subscriptions",
    status_code=status.HTTP_201_CREATED,
    tags=["subscriptions"],
    summary="Order a product for an organisation (and invoice its first period)",
    dependencies=[requires(BILLING["subscriptions:write"])],
)
async def post_subscription(
    organisation_id: UUID, order: OrderSubscription, caller: CallerDep, uow: UnitOfWorkDep
) -> SubscriptionView:
    """Install a product in the organisation and invoice its first period to the payer of the moment.

    Any member may order; so may the staff of the partner named by ``relationship_id``, within the
    access the client granted. 422 for an unknown product, 404 for a relationship that is not the
    organisation's or a caller who may not order there.
    """
    subscription, _ = await order_subscription(
        uow,
        organisation_id=organisation_id,
        product_code=order.product_code,
        price_currency=order.currency,
        relationship_id=order.relationship_id,
        caller=caller,
    )
    return SubscriptionView.of(subscription)


@router.get(
    "/organisations/{organisation_id}/subscriptions",
    tags=["subscriptions"],
    summary="The organisation's subscriptions, who pays them, and their tags",
    dependencies=[requires(BILLING["subscriptions:read"])],
)
async def get_subscriptions(
    organisation_id: UUID,
    caller: CallerDep,
    uow: UnitOfWorkDep,
    kind: ProductKind | None = None,
    tag_id: UUID | None = None,
) -> list[SubscriptionView]:
    """Products installed in the organisation, oldest first, optionally of one ``kind`` or with one tag.

    Members see every product; a partner's staff the products the client lets its partner manage.
    """
    found = await visible_subscriptions(uow, caller, organisation_id, kind=kind, tag_id=tag_id)
    return [SubscriptionView.of(subscription, tags) for subscription, tags in found]


@router.post(
    "/organisations/{organisation_id}/subscriptions/{subscription_id}/cancellation",
    tags=["subscriptions"],
    summary="Stop a subscription renewing",
    dependencies=[requires(BILLING["subscriptions:write"])],
)
async def post_cancellation(
    organisation_id: UUID, subscription_id: UUID, caller: CallerDep, uow: UnitOfWorkDep
) -> SubscriptionView:
    """The subscription stops renewing; its paid period runs to its end. Again: nothing changes."""
    subscription = await cancel_subscription(uow, caller, organisation_id, subscription_id, caller.user_id)
    return SubscriptionView.of(subscription)
