"""Use cases on subscriptions: ordering a product, and listing what an organisation has."""

from uuid import UUID, uuid4

from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.domain.errors import PriceNotOffered
from tessera_billing.domain.relationships import Relationship
from tessera_billing.domain.subscriptions import Subscription
from tessera_billing.service_layer.contracts import contract_money, currency
from tessera_events import Currency as ContractCurrency
from tessera_events.billing import BillingPeriod, SubscriptionCreated
from tessera_kit.problems import InvalidInput, NotFound


async def order_subscription(
    uow: BillingUnitOfWork,
    *,
    organisation_id: UUID,
    product_code: str,
    price_currency: ContractCurrency,
    relationship_id: UUID | None,
    ordered_by_user_id: UUID,
) -> Subscription:
    """Install a product in an organisation at its public price; emits SubscriptionCreated.

    Managed under a relationship whose client is the organisation, the partner pays when the
    relationship's billing mode says so; otherwise the organisation itself pays.
    """
    async with uow:
        product = await uow.catalogue.get(product_code)
        if product is None:
            raise InvalidInput(f"the catalogue has no product {product_code!r}", product_code=product_code)
        relationship = await _relationship_of_client(uow, relationship_id, organisation_id)
        now = uow.clock.now()
        try:
            subscription = Subscription.order(
                subscription_id=uuid4(),
                owner_organisation_id=organisation_id,
                product=product,
                currency=currency(price_currency),
                ordered_at=now,
                ordered_by_user_id=ordered_by_user_id,
                managed_under=relationship,
            )
        except PriceNotOffered as error:
            raise InvalidInput(str(error), product_code=product_code) from error
        await uow.subscriptions.save(subscription)
        uow.emit(
            SubscriptionCreated(
                subscription_id=subscription.subscription_id,
                owner_organisation_id=subscription.owner_organisation_id,
                payer_organisation_id=subscription.payer_on(now),
                relationship_id=subscription.relationship_id,
                product_code=subscription.product_code,
                product_name=subscription.product_name,
                price=contract_money(subscription.price),
                period=BillingPeriod(subscription.period.value),
                next_renewal_on=subscription.next_renewal_on,
                ordered_by_user_id=ordered_by_user_id,
                created_at=now,
            ),
            occurred_at=now,
        )
        await uow.commit()
    return subscription


async def _relationship_of_client(
    uow: BillingUnitOfWork, relationship_id: UUID | None, organisation_id: UUID
) -> Relationship | None:
    if relationship_id is None:
        return None
    # Locked until commit: a billing-mode change applied meanwhile would miss this subscription.
    relationship = await uow.relationships.get(relationship_id, for_update=True)
    if relationship is None or not relationship.manages_products_of(organisation_id):
        raise NotFound(
            f"organisation {organisation_id} has no relationship {relationship_id}",
            relationship_id=str(relationship_id),
        )
    return relationship


async def list_subscriptions(uow: BillingUnitOfWork, organisation_id: UUID) -> list[Subscription]:
    """The subscriptions installed in an organisation, oldest first."""
    async with uow:
        return await uow.subscriptions.owned_by(organisation_id)
