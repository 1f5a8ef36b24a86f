"""billing's events: who pays (the billing-mode notice), renewal reminders, renewals, invoices, payments."""

from uuid import UUID

from tessera_events import CloudEvent
from tessera_events.billing import (
    InvoiceIssued,
    PayerReassigned,
    PaymentFailed,
    PaymentSucceeded,
    ReminderKind,
    RenewalReminderDue,
    SubscriptionRenewed,
)
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.billing_mode import BillingMode, MovedRenewal
from tessera_notify.domain.rules import dunning_stage
from tessera_notify.entrypoints.consumers.registry import HandlerList
from tessera_notify.entrypoints.consumers.rendering import amount_of, cause_of, renderer
from tessera_notify.service_layer import billing_mode
from tessera_notify.service_layer.telling import organisation_name, tell_organisation

handlers = HandlerList()
REMINDER_NOTIFICATIONS = {
    ReminderKind.RENEWAL_REMINDER: "renewal_reminder",
    ReminderKind.AUTO_RENEWAL_NOTICE: "auto_renewal_notice",
}


@handlers.on(PayerReassigned)
async def tell_parties_who_pays_now(event: CloudEvent[PayerReassigned], uow: NotifyUnitOfWork) -> None:
    """Billing moved the client's renewals to another payer: e-mail the partner and the client."""
    if uow.too_old_to_tell(event.time):
        return
    data = event.data
    await billing_mode.tell_parties_billing_mode_changed(
        uow,
        renderer,
        cause_event_id=event.id,
        relationship_id=data.relationship_id,
        partner_organisation_id=data.partner_organisation_id,
        client_organisation_id=data.client_organisation_id,
        mode=BillingMode(data.billing_mode.value),
        effective_at=data.effective_at,
        renewals=[
            MovedRenewal(
                product_name=subscription.product_name,
                amount_minor=subscription.price.amount_minor,
                currency=subscription.price.currency.value,
                next_renewal_on=subscription.next_renewal_on,
            )
            for subscription in data.subscriptions
        ],
    )


@handlers.on(RenewalReminderDue)
async def remind_of_renewal(event: CloudEvent[RenewalReminderDue], uow: NotifyUnitOfWork) -> None:
    """A renewal reminder (at a lead time) or the auto-renewal notice (14 days before) fell due."""
    data = event.data
    facts = {
        "product_name": data.product_name,
        "price": amount_of(data.price),
        "renews_on": data.renews_on,
        "lead_days": data.lead_days,
        "owner_name": await _owner_name(uow, data.owner_organisation_id, data.payer_organisation_id),
    }
    notification = REMINDER_NOTIFICATIONS[data.kind]
    await tell_organisation(uow, renderer, cause_of(event), notification, data.payer_organisation_id, facts)


@handlers.on(SubscriptionRenewed)
async def confirm_renewal(event: CloudEvent[SubscriptionRenewed], uow: NotifyUnitOfWork) -> None:
    """A subscription renewed and was invoiced: the payer gets the confirmation."""
    data = event.data
    facts = {
        "product_name": data.product_name,
        "price": amount_of(data.price),
        "period_start": data.period_start,
        "next_renewal_on": data.next_renewal_on,
        "owner_name": await _owner_name(uow, data.owner_organisation_id, data.payer_organisation_id),
    }
    await tell_organisation(
        uow, renderer, cause_of(event), "subscription_renewed", data.payer_organisation_id, facts
    )


@handlers.on(InvoiceIssued)
async def tell_of_invoice(event: CloudEvent[InvoiceIssued], uow: NotifyUnitOfWork) -> None:
    """An invoice was issued: the payer is told (and notify keeps its number for payment e-mails)."""
    data = event.data
    await uow.invoices.remember(data.invoice_id, data.number, data.payer_organisation_id)
    facts = {
        "number": data.number,
        "subtotal": amount_of(data.subtotal),
        "tax": amount_of(data.tax),
        "total": amount_of(data.total),
        "tax_treatment": data.tax_treatment.value,
        "issued_at": data.issued_at,
        "due_on": data.due_on,
        "owner_name": await _owner_name(uow, data.owner_organisation_id, data.payer_organisation_id),
    }
    await tell_organisation(
        uow, renderer, cause_of(event), "invoice_issued", data.payer_organisation_id, facts
    )


@handlers.on(PaymentSucceeded)
async def confirm_debit(event: CloudEvent[PaymentSucceeded], uow: NotifyUnitOfWork) -> None:
    """A card was debited: the payer gets the confirmation, naming the invoice when notify knows it."""
    data = event.data
    facts = {
        "amount": amount_of(data.amount),
        "card_last4": data.card_last4,
        "invoice_number": await uow.invoices.number_of(data.invoice_id),
        "succeeded_at": data.succeeded_at,
    }
    await tell_organisation(
        uow, renderer, cause_of(event), "payment_succeeded", data.payer_organisation_id, facts
    )


@handlers.on(PaymentFailed)
async def dun(event: CloudEvent[PaymentFailed], uow: NotifyUnitOfWork) -> None:
    """A card payment failed: worded by how far dunning has gone."""
    data = event.data
    facts = {
        "invoice_number": data.invoice_number,
        "amount": amount_of(data.amount),
        "attempt": data.attempt,
        "failure_reason": data.failure_reason,
        "next_attempt_at": data.next_attempt_at,
        "stage": dunning_stage(data.attempt, data.next_attempt_at).value,
    }
    await tell_organisation(
        uow, renderer, cause_of(event), "payment_failed", data.payer_organisation_id, facts
    )


async def _owner_name(uow: NotifyUnitOfWork, owner_id: UUID, payer_id: UUID) -> str | None:
    """The owning organisation's name when someone else pays (a partner paying for its client)."""
    return None if owner_id == payer_id else await organisation_name(uow, owner_id)
