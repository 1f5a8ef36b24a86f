"""Use cases on subscriptions: ordering a product (and invoicing its first period), listing them."""

from datetime import datetime, timedelta
from uuid import UUID, uuid4

from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.domain.catalogue import ProductKind
from tessera_billing.domain.errors import PriceNotOffered
from tessera_billing.domain.invoices import Invoice, InvoiceKind
from tessera_billing.domain.ledgers import Tag
from tessera_billing.domain.relationships import Relationship
from tessera_billing.domain.subscriptions import Subscription
from tessera_billing.service_layer.access import may_act_through, product_access
from tessera_billing.service_layer.charging import draft_for_period
from tessera_billing.service_layer.contracts import contract_money, currency
from tessera_billing.service_layer.invoices import issue_invoice
from tessera_events import Currency as ContractCurrency
from tessera_events.billing import BillingPeriod, SubscriptionCancelled, SubscriptionCreated
from tessera_events.billing import ProductKind as ContractProductKind
from tessera_kit.auth import Caller
from tessera_kit.problems import Forbidden, InvalidInput, NotFound

DAY = timedelta(days=1)


async def order_subscription(
    uow: BillingUnitOfWork,
    *,
    organisation_id: UUID,
    product_code: str,
    price_currency: ContractCurrency,
    relationship_id: UUID | None,
    caller: Caller,
) -> tuple[Subscription, Invoice]:
    """Install a product in an organisation and invoice its first period; emits SubscriptionCreated.

    The caller is a member of the organisation (the client orders itself) or, with a relationship,
    a member of its partner allowed to manage the product (the partner's staff orders). Who pays and
    at what price follow the relationship at this moment (see ``domain/pricing.py``).
    """
    ordered_by_user_id = caller.user_id
    async with uow:
        product = await uow.catalogue.get(product_code)
        if product is None:
            raise InvalidInput(f"the catalogue has no product {product_code!r}", product_code=product_code)
        relationship = await _relationship_of_client(uow, relationship_id, organisation_id)
        now = uow.clock.now()
        ordered_by = await _orderer(uow, caller, organisation_id, relationship, product_code, now)
        try:
            subscription = Subscription.order(
                subscription_id=uuid4(),
                owner_organisation_id=organisation_id,
                product=product,
                currency=currency(price_currency),
                ordered_at=now,
                ordered_by_user_id=ordered_by_user_id,
                managed_under=relationship,
                ordered_by_organisation_id=ordered_by,
            )
        except PriceNotOffered as error:
            raise InvalidInput(str(error), product_code=product_code) from error
        await uow.subscriptions.save(subscription)
        payer = subscription.payer_on(now)
        draft = await draft_for_period(
            uow, subscription, number=0, kind=InvoiceKind.ORDER, payer_organisation_id=payer, at=now
        )
        if ordered_by != organisation_id and payer == organisation_id:
            await _within_partner_limits(uow, draft, ordered_by, now)
        invoice = await issue_invoice(uow, draft)
        uow.emit(
            SubscriptionCreated(
                subscription_id=subscription.subscription_id,
                owner_organisation_id=subscription.owner_organisation_id,
                payer_organisation_id=payer,
                relationship_id=subscription.relationship_id,
                product_code=subscription.product_code,
                product_name=subscription.product_name,
                price=contract_money(subscription.price),
                period=BillingPeriod(subscription.period.value),
                next_renewal_on=subscription.next_renewal_on,
                ordered_by_user_id=ordered_by_user_id,
                created_at=now,
                product_kind=ContractProductKind(subscription.kind.value),
                invoice_id=invoice.invoice_id,
            ),
            occurred_at=now,
        )
        await uow.commit()
    return subscription, invoice


async def _orderer(
    uow: BillingUnitOfWork,
    caller: Caller,
    organisation_id: UUID,
    relationship: Relationship | None,
    product_code: str,
    now: datetime,
) -> UUID:
    """The organisation placing the order: the client itself, or its managing partner (a partner user
    allowed to act for the client, within the products its access covers)."""
    if caller.is_member_of(organisation_id):
        return organisation_id
    if (
        relationship is not None
        and relationship.lets_partner_manage(product_code, now)
        and await may_act_through(uow, caller, relationship, now)
    ):
        return relationship.partner_organisation_id
    raise NotFound(f"organisation {organisation_id} not found")


async def _within_partner_limits(
    uow: BillingUnitOfWork, draft: Invoice, partner_id: UUID, now: datetime
) -> None:
    """Forbidden when a partner's order would put more on its client's bill than the limits allow."""
    client_id = draft.parties.payer_organisation_id
    already = await uow.invoices.ordered_by_partner_since(client_id, partner_id, draft.currency, now - DAY)
    if refusal := uow.partner_order_limits.refusal(draft.total.amount_minor, already):
        raise Forbidden(refusal)


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


async def cancel_subscription(
    uow: BillingUnitOfWork,
    caller: Caller,
    organisation_id: UUID,
    subscription_id: UUID,
    cancelled_by_user_id: UUID,
) -> Subscription:
    """Stop a subscription renewing (its paid period runs to its end); emits SubscriptionCancelled once.

    Its owner's members may cancel it, and the staff of a partner managing it.
    """
    async with uow:
        reach = await product_access(uow, caller, organisation_id, uow.clock.now())
        subscription = await uow.subscriptions.get(subscription_id, for_update=True)
        if (
            subscription is None
            or subscription.owner_organisation_id != organisation_id
            or not reach.reaches(subscription.product_code)
        ):
            raise NotFound(f"subscription {subscription_id} not found")
        now = uow.clock.now()
        if subscription.cancel(now):
            await uow.subscriptions.save(subscription)
            uow.emit(
                SubscriptionCancelled(
                    subscription_id=subscription_id,
                    owner_organisation_id=organisation_id,
                    payer_organisation_id=subscription.next_renewal().payer_organisation_id,
                    product_code=subscription.product_code,
                    cancelled_by_user_id=cancelled_by_user_id,
                    ends_on=subscription.paid_until,
                    cancelled_at=now,
                ),
                occurred_at=now,
            )
            await uow.commit()
    return subscription


async def visible_subscriptions(
    uow: BillingUnitOfWork,
    caller: Caller,
    organisation_id: UUID,
    *,
    kind: ProductKind | None = None,
    tag_id: UUID | None = None,
) -> list[tuple[Subscription, list[Tag]]]:
    """The subscriptions of an organisation the caller may see, oldest first, with their tags.

    Optionally only one kind of product, or those carrying one tag. 404 for a caller with no access.
    """
    async with uow:
        reach = await product_access(uow, caller, organisation_id, uow.clock.now())
        subscriptions = await uow.subscriptions.owned_by(organisation_id, kind=kind, tag_id=tag_id)
        tags = await uow.tags.on_products_of(organisation_id)
    return [
        (subscription, tags.get(subscription.subscription_id, []))
        for subscription in subscriptions
        if reach.reaches(subscription.product_code)
    ]
