"""Renewals: each due period of a subscription renewed once, invoiced to the payer of its due date.

One transaction per renewal. The subscription's row is locked while it renews, and the renewal's
key ``(subscription, number)`` is recorded with its invoice and events: two workers, a restart or an
operator's run never renew the same period twice.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import structlog
from opentelemetry import context as otel_context
from opentelemetry import trace

from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.domain.invoices import Invoice, InvoiceKind
from tessera_billing.domain.timeline import instant
from tessera_billing.service_layer.charging import draft_for_period
from tessera_billing.service_layer.contracts import contract_money
from tessera_billing.service_layer.invoices import issue_invoice
from tessera_events.billing import SubscriptionRenewed
from tessera_kit.telemetry import tracer

log = structlog.get_logger(__name__)
BATCH = 100


@dataclass(frozen=True)
class RenewalRun:
    """What one run renewed, and what it could not."""

    invoices: tuple[Invoice, ...]
    failed: tuple[UUID, ...]
    complete: bool = True  # False: the run stopped at its limit with periods still due


async def renew_due(
    make_uow: Callable[[], BillingUnitOfWork], until: date, limit: int | None = None
) -> RenewalRun:
    """Renew every period due on or before ``until``, each in its own transaction; at most ``limit``
    periods when given (the next run goes on where this one stopped).

    A subscription whose renewal fails is logged and left for the next run; the others go on.
    """
    invoices: list[Invoice] = []
    failed: set[UUID] = set()
    passed: set[UUID] = set()  # nothing was due after all (renewed meanwhile): not asked again this run
    while True:
        uow = make_uow()
        async with uow:
            found = await uow.subscriptions.due_by(until, BATCH + len(failed) + len(passed))
        due = [subscription_id for subscription_id in found if subscription_id not in failed | passed]
        if not due:
            return RenewalRun(tuple(invoices), tuple(failed))
        for subscription_id in due:
            if limit is not None and len(invoices) >= limit:
                return RenewalRun(tuple(invoices), tuple(failed), complete=False)
            try:
                with renewal_span(subscription_id):
                    invoice = await renew_subscription(make_uow(), subscription_id, until)
            except Exception:
                log.exception("renewal failed; retried on the next run", subscription_id=str(subscription_id))
                failed.add(subscription_id)
                continue
            if invoice is None:
                passed.add(subscription_id)
            else:
                invoices.append(invoice)


def renewal_span(subscription_id: UUID) -> AbstractContextManager[trace.Span]:
    """The root span of one renewal: its invoice, charge and e-mails continue its trace.

    A trace of its own even when an operator's request runs the renewals (linked to that request),
    so that a run renewing thousands of subscriptions is not one trace; Zipkin finds a renewal's
    trace by its ``tessera.subscription_id`` tag.
    """
    caller = trace.get_current_span().get_span_context()
    return tracer().start_as_current_span(
        "renew subscription",
        context=otel_context.Context(),
        links=[trace.Link(caller)] if caller.is_valid else [],
        attributes={"tessera.subscription_id": str(subscription_id)},
    )


async def renew_subscription(uow: BillingUnitOfWork, subscription_id: UUID, until: date) -> Invoice | None:
    """Renew the subscription's next period if it falls due by ``until``; None when nothing was due.

    The renewal is priced and paid as of its due instant (00:00 UTC of its due date): the payer then
    (the in-flight rule of ``Subscription.renewal``), the partner's terms then.
    """
    async with uow:
        subscription = await uow.subscriptions.get(subscription_id, for_update=True)
        if (
            subscription is None
            or subscription.cancelled_at is not None
            or subscription.next_renewal_on > until
        ):
            return None
        renewal = subscription.next_renewal()
        draft = await draft_for_period(
            uow,
            subscription,
            number=renewal.number,
            kind=InvoiceKind.RENEWAL,
            payer_organisation_id=renewal.payer_organisation_id,
            at=instant(renewal.due_on),
        )
        invoice = await issue_invoice(uow, draft)
        now = uow.clock.now()
        recorded = await uow.invoices.record_renewal(
            subscription_id=subscription_id,
            number=renewal.number,
            due_on=renewal.due_on,
            payer=renewal.payer_organisation_id,
            invoice_id=invoice.invoice_id,
            at=now,
        )
        if not recorded:
            return None  # renewed meanwhile: leaving without commit gives the invoice number back
        subscription.renewed_periods += 1
        await uow.subscriptions.save(subscription)
        uow.emit(
            SubscriptionRenewed(
                subscription_id=subscription_id,
                owner_organisation_id=subscription.owner_organisation_id,
                payer_organisation_id=renewal.payer_organisation_id,
                relationship_id=subscription.relationship_id,
                product_code=subscription.product_code,
                product_name=subscription.product_name,
                price=contract_money(invoice.subtotal),
                invoice_id=invoice.invoice_id,
                period_start=renewal.due_on,
                next_renewal_on=subscription.next_renewal_on,
                renewed_at=now,
            ),
            occurred_at=now,
        )
        await uow.commit()
    return invoice


async def next_renewal_on(uow: BillingUnitOfWork) -> date | None:
    """The earliest day any subscription falls due (None: nothing renews)."""
    async with uow:
        return await uow.subscriptions.next_renewal_on()
