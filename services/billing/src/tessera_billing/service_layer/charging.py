"""Turning one period of a subscription into a draft invoice: price, payer, tax and cashback of the moment."""

from datetime import datetime
from uuid import UUID, uuid4

from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.domain.invoices import Invoice, InvoiceKind, InvoiceLine, Parties
from tessera_billing.domain.pricing import NO_TERMS, Manager, price_charge
from tessera_billing.domain.relationships import Relationship
from tessera_billing.domain.subscriptions import Subscription
from tessera_billing.domain.tax import UNKNOWN_PAYER, assess


async def draft_for_period(
    uow: BillingUnitOfWork,
    subscription: Subscription,
    *,
    number: int,
    kind: InvoiceKind,
    payer_organisation_id: UUID,
    at: datetime,
) -> Invoice:
    """The draft invoice for period ``number`` (0: the ordered one) of a subscription.

    Price and payer come from the moment ``at`` (the order, or the renewal's due instant): the
    relationship's partner and its terms then, the product's volume tier then. Tax follows what
    billing knows of the payer when the invoice is made.
    """
    product = await uow.catalogue.get(subscription.product_code)
    quantity = await uow.subscriptions.count_owned(
        subscription.owner_organisation_id, subscription.product_code
    )
    tier = product.tier_for(max(quantity, 1)) if product is not None else None
    manager = await _manager_on(uow, subscription, at)
    charge = price_charge(
        list_price=subscription.price,
        tier=tier,
        payer_organisation_id=payer_organisation_id,
        manager=manager,
        ordered_by=subscription.ordered_by,
    )
    start, end = subscription.period_of(number)
    payer = await uow.parties.tax_profile(payer_organisation_id) or UNKNOWN_PAYER
    verb = "renewal" if kind is InvoiceKind.RENEWAL else "order"
    return Invoice(
        invoice_id=uuid4(),
        kind=kind,
        parties=Parties(
            payer_organisation_id=payer_organisation_id,
            owner_organisation_id=subscription.owner_organisation_id,
            relationship_id=manager.relationship_id if manager else None,
            partner_organisation_id=manager.partner_organisation_id if manager else None,
            ordered_by_user_id=subscription.ordered_by_user_id,
            ordered_by_organisation_id=subscription.ordered_by_organisation_id,
        ),
        currency=subscription.price.currency,
        lines=(
            InvoiceLine(
                subscription_id=subscription.subscription_id,
                product_code=subscription.product_code,
                description=f"{subscription.product_name}, {subscription.period.value} {verb}",
                period_start=start,
                period_end=end,
                list_price=charge.list_price,
                discount=charge.discount,
                discount_reason=charge.discount_reason,
            ),
        ),
        payer=payer,
        tax=assess(payer),
        created_at=uow.clock.now(),
        cashback_partner_organisation_id=charge.cashback_partner_organisation_id,
        cashback_rate_bp=charge.cashback_rate_bp,
    )


async def _manager_on(uow: BillingUnitOfWork, subscription: Subscription, at: datetime) -> Manager | None:
    """The partner managing the product at ``at``, with its terms then; None when none does."""
    if subscription.relationship_id is None:
        return None
    relationship: Relationship | None = await uow.relationships.get(subscription.relationship_id)
    if relationship is None or not relationship.lets_partner_manage(subscription.product_code, at):
        return None
    terms = await uow.parties.terms_on(relationship.partner_organisation_id, at) or NO_TERMS
    return Manager(relationship.partner_organisation_id, relationship.relationship_id, terms)
