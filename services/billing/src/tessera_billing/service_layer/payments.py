"""Charging invoices to the payer's primary card, off-session, with retries and dunning.

How a charge happens, and why it cannot happen twice:

1. :func:`request_payment` (called by billing core when a renewal's invoice is issued, in its
   transaction) writes the invoice's first payment attempt, due now.
2. The payment job takes due attempts one by one (``FOR UPDATE SKIP LOCKED``, so replicas share the
   work), marks each ``submitting`` and commits; then, outside any transaction, asks Stripe for an
   off-session PaymentIntent whose idempotency key is derived from the attempt's id; then records
   the answer. A process that dies in between leaves the attempt ``submitting``; it is sent again
   after ``payment_resubmit_after_seconds`` with the same key, and Stripe answers with the same
   PaymentIntent instead of charging again.
3. A success marks the invoice paid and emits PaymentSucceeded. A decline emits PaymentFailed with
   the next attempt's time from the retry schedule (dunning e-mails go out from that event), or,
   after the last retry, writes the invoice off as uncollectible. A PaymentIntent Stripe has not
   decided yet is settled by its webhook (:mod:`tessera_billing.entrypoints.webhooks`).
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

import stripe
import structlog
from opentelemetry import trace

from tessera_billing.adapters.payments_repository import PAYMENTS_CHANNEL, PaymentsRepository
from tessera_billing.adapters.stripe_gateway import ChargeOutcome, ChargeStatus, StripeGateway
from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.config import BillingSettings
from tessera_billing.domain.dunning import RetrySchedule
from tessera_billing.domain.payments import AttemptStatus, PaymentAttempt
from tessera_billing.service_layer.contracts import contract_money
from tessera_billing.service_layer.invoices import mark_invoice_paid, mark_invoice_uncollectible
from tessera_events.billing import PaymentFailed, PaymentSucceeded
from tessera_kit.listening import run_on_notify
from tessera_kit.problems import Conflict, NotFound
from tessera_kit.service import Runtime
from tessera_kit.telemetry import stored_trace, tracer

log = structlog.get_logger(__name__)

NO_CARD = "no_card_on_file"
ISSUED = "issued"
PAID = "paid"


async def request_payment(uow: BillingUnitOfWork, invoice_id: UUID) -> None:
    """Schedule the off-session charge of an issued invoice's total to its payer's primary card.

    Runs in the caller's open transaction and commits with it. Asking again for the same invoice
    changes nothing: its first attempt is written once.
    """
    payments = PaymentsRepository(uow.session)
    invoice = await payments.invoice_to_charge(invoice_id)
    if invoice is None or invoice.status != ISSUED:
        raise ValueError(f"invoice {invoice_id} is not issued: nothing to charge")
    if invoice.total.amount_minor == 0 or await payments.attempts_at(invoice_id):
        return
    attempt = PaymentAttempt.first(
        invoice_id=invoice_id,
        payer_organisation_id=invoice.payer_organisation_id,
        amount=invoice.total,
        due_at=uow.clock.now(),
    )
    await payments.save_attempt(attempt, uow.clock.now())
    await payments.wake(PAYMENTS_CHANNEL)


class PaymentCollector:
    """Runs due payment attempts against Stripe and settles them."""

    def __init__(
        self,
        unit_of_work: Callable[[], BillingUnitOfWork],
        gateway: StripeGateway,
        schedule: RetrySchedule,
        resubmit_after_seconds: float,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._gateway = gateway
        self._schedule = schedule
        self._resubmit_after = timedelta(seconds=resubmit_after_seconds)

    async def collect_due(self) -> datetime | None:
        """Run every attempt due now; return when the next one falls due (None: none waiting)."""
        tried: set[UUID] = set()
        while (submitted := await self._take_next(tried)) is not None:
            attempt, customer_id, cause = submitted
            tried.add(attempt.payment_id)
            # The charge continues the trace of what asked for it (a renewal, an order, a retry).
            with stored_trace(*cause), tracer().start_as_current_span("charge invoice") as span:
                span.set_attribute("tessera.invoice_id", str(attempt.invoice_id))
                span.set_attribute("tessera.attempt", attempt.attempt)
                await self._charge(attempt, customer_id)
        async with self._unit_of_work() as uow:
            return await PaymentsRepository(uow.session).next_attempt_due_at(
                self._resubmit_after.total_seconds()
            )

    async def _charge(self, attempt: PaymentAttempt, customer_id: str) -> None:
        """Ask Stripe for the charge, then record its answer."""
        try:
            outcome = await self._gateway.charge_off_session(
                customer_id=customer_id,
                payment_method_id=attempt.payment_method_id or "",
                amount=attempt.amount,
                idempotency_key=attempt.idempotency_key,
                metadata={"invoice_id": str(attempt.invoice_id), "payment_id": str(attempt.payment_id)},
            )
        except stripe.StripeError:
            # Stripe unreachable or refusing the request: the attempt stays 'submitting' and is
            # sent again, with the same idempotency key, once it is stale.
            log.exception("charge not sent; it will be sent again", payment_id=str(attempt.payment_id))
            return
        await self._record(attempt.payment_id, outcome)

    async def _take_next(
        self, tried: set[UUID]
    ) -> tuple[PaymentAttempt, str, tuple[str | None, str | None]] | None:
        """The next due attempt, marked submitting and committed, with the customer to charge and the
        trace it was asked for in."""
        while True:
            async with self._unit_of_work() as uow:
                payments = PaymentsRepository(uow.session)
                now = uow.clock.now()
                attempt = await payments.next_attempt_to_run(now, now - self._resubmit_after)
                if attempt is None or attempt.payment_id in tried:
                    return None
                submitted = await self._prepare(uow, payments, attempt)
                cause = await payments.trace_of(attempt.payment_id)
                await uow.commit()
            if submitted is not None:
                return attempt, submitted, cause

    async def _prepare(
        self, uow: BillingUnitOfWork, payments: PaymentsRepository, attempt: PaymentAttempt
    ) -> str | None:
        """Mark the attempt submitting and return the customer to charge; None when it settled at once."""
        now = uow.clock.now()
        invoice = await payments.invoice_to_charge(attempt.invoice_id)
        if invoice is None or invoice.status != ISSUED:
            attempt.cancel(f"invoice is {invoice.status if invoice else 'gone'}", now)
            await payments.save_attempt(attempt, now)
            return None
        customer_id = await payments.customer_of(attempt.payer_organisation_id)
        if attempt.status is AttemptStatus.SUBMITTING and customer_id is not None:
            attempt.resend(now)  # a stale submission: send it again as it was
            await payments.save_attempt(attempt, now)
            return customer_id
        primary = (await payments.cards_of(attempt.payer_organisation_id)).primary
        if customer_id is None or primary is None:
            await settle_failure(uow, attempt, NO_CARD, now, self._schedule)
            return None
        attempt.submit(primary.card, now)
        await payments.save_attempt(attempt, now)
        return customer_id

    async def _record(self, payment_id: UUID, outcome: ChargeOutcome) -> None:
        async with self._unit_of_work() as uow:
            attempt = await PaymentsRepository(uow.session).attempt(payment_id)
            if attempt is None or attempt.status.settled:
                return  # the webhook was faster
            now = uow.clock.now()
            if outcome.status is ChargeStatus.SUCCEEDED:
                await settle_success(uow, attempt, now, outcome.payment_intent_id)
            elif outcome.status is ChargeStatus.FAILED:
                reason = outcome.failure_reason or "card_declined"
                await settle_failure(uow, attempt, reason, now, self._schedule, outcome.payment_intent_id)
            else:
                attempt.await_confirmation(outcome.payment_intent_id or "")
                await PaymentsRepository(uow.session).save_attempt(attempt, now)
            await uow.commit()


async def settle_success(
    uow: BillingUnitOfWork, attempt: PaymentAttempt, at: datetime, payment_intent_id: str | None
) -> None:
    """The charge went through: the invoice is paid; emits PaymentSucceeded (in the caller's transaction).

    A charge Stripe confirms after the invoice was voided or written off (it was still processing)
    is recorded and announced all the same, since the money moved; the invoice stays closed and the
    charge is logged for a refund.
    """
    payments = PaymentsRepository(uow.session)
    attempt.succeed(at, payment_intent_id)
    await payments.save_attempt(attempt, at)
    invoice = await payments.invoice_to_charge(attempt.invoice_id, for_update=True)
    if invoice is not None and invoice.status in (ISSUED, PAID):
        await mark_invoice_paid(uow, attempt.invoice_id, at)
    else:
        log.error(
            "card charged for a closed invoice: refund it",
            payment_id=str(attempt.payment_id),
            invoice_id=str(attempt.invoice_id),
            invoice_status=invoice.status if invoice else None,
        )
    uow.emit(
        PaymentSucceeded(
            payment_id=attempt.payment_id,
            invoice_id=attempt.invoice_id,
            payer_organisation_id=attempt.payer_organisation_id,
            amount=contract_money(attempt.amount),
            card_last4=attempt.card_last4,
            succeeded_at=at,
        ),
        occurred_at=at,
    )


async def settle_failure(
    uow: BillingUnitOfWork,
    attempt: PaymentAttempt,
    reason: str,
    at: datetime,
    schedule: RetrySchedule,
    payment_intent_id: str | None = None,
) -> None:
    """The charge failed: schedule the next attempt, or write the invoice off after the last one.

    Emits PaymentFailed with the next attempt's time (None when dunning ended, or the invoice is no
    longer owed), in the caller's transaction.
    """
    payments = PaymentsRepository(uow.session)
    attempt.fail(reason, at, payment_intent_id)
    await payments.save_attempt(attempt, at)
    invoice = await payments.invoice_to_charge(attempt.invoice_id, for_update=True)
    # An invoice paid or voided meanwhile is no longer owed: no retry, no write-off.
    still_owed = invoice is not None and invoice.status == ISSUED
    next_attempt_at = (
        schedule.next_attempt_at(attempt.attempt, attempt.first_failed_at or at) if still_owed else None
    )
    if next_attempt_at is not None:
        await payments.save_attempt(attempt.retry(next_attempt_at), at)
        await payments.wake(PAYMENTS_CHANNEL)
    elif still_owed:
        await mark_invoice_uncollectible(
            uow, attempt.invoice_id, f"unpaid after {attempt.attempt} card payment attempts: {reason}", at
        )
    uow.emit(
        PaymentFailed(
            payment_id=attempt.payment_id,
            invoice_id=attempt.invoice_id,
            invoice_number=(invoice.number if invoice else None) or "",
            payer_organisation_id=attempt.payer_organisation_id,
            amount=contract_money(attempt.amount),
            attempt=attempt.attempt,
            failure_reason=reason,
            next_attempt_at=next_attempt_at,
            failed_at=at,
        ),
        occurred_at=at,
    )


async def pay_now(uow: BillingUnitOfWork, organisation_id: UUID, invoice_id: UUID) -> PaymentAttempt:
    """Run an invoice's scheduled retry now, e.g. after the payer changed its card.

    404 for an invoice the organisation does not pay; 409 when no retry is waiting (the invoice is
    paid, being charged, or written off).
    """
    async with uow:
        payments = PaymentsRepository(uow.session)
        invoice = await payments.invoice_to_charge(invoice_id)
        if invoice is None or invoice.payer_organisation_id != organisation_id:
            raise NotFound(f"organisation {organisation_id} pays no invoice {invoice_id}")
        waiting = [
            attempt
            for attempt in await payments.attempts_at(invoice_id)
            if attempt.status is AttemptStatus.SCHEDULED
        ]
        if invoice.status != ISSUED or not waiting:
            raise Conflict(f"invoice {invoice_id} has no card payment waiting (it is {invoice.status})")
        [attempt] = waiting
        attempt.bring_forward(uow.clock.now())
        await payments.save_attempt(attempt, uow.clock.now())
        await payments.wake(PAYMENTS_CHANNEL)
        await uow.commit()
    return attempt


async def list_payments(uow: BillingUnitOfWork, organisation_id: UUID) -> list[PaymentAttempt]:
    """An organisation's payment attempts, newest first."""
    async with uow:
        return await PaymentsRepository(uow.session).attempts_of(organisation_id)


def retry_schedule(settings: BillingSettings) -> RetrySchedule:
    """The retry schedule the settings name."""
    return RetrySchedule(tuple(settings.payment_retry_days))


def stripe_gateway(settings: BillingSettings) -> StripeGateway:
    """A gateway to the Stripe (or stripe-mock) the settings name."""
    return StripeGateway(settings.stripe_api_key, settings.stripe_api_base)


async def collect_payments(runtime: Runtime[BillingUnitOfWork]) -> None:
    """Background job: run due payment attempts, then sleep until the next is due (or a NOTIFY)."""
    settings = runtime.settings
    assert isinstance(settings, BillingSettings)
    gateway = stripe_gateway(settings)
    collector = PaymentCollector(
        runtime.unit_of_work, gateway, retry_schedule(settings), settings.payment_resubmit_after_seconds
    )

    async def collect_what_is_due() -> float | None:
        next_due = await collector.collect_due()
        return _seconds_until(next_due, runtime.clock.now(), settings.payments_sweep_seconds)

    try:
        await run_on_notify(
            runtime.database.url,
            [PAYMENTS_CHANNEL],
            collect_what_is_due,
            sweep_seconds=settings.payments_sweep_seconds,
            name="billing payments",
        )
    finally:
        await gateway.close()


def _seconds_until(when: datetime | None, now: datetime, longest: float) -> float:
    if when is None:
        return longest
    return min(max((when - now).total_seconds(), 0.0), longest)


async def apply_payment_outcome(
    uow: BillingUnitOfWork,
    schedule: RetrySchedule,
    *,
    event_id: str,
    event_type: str,
    payment_intent_id: str,
    payment_id: UUID | None,
    failure_reason: str | None,
) -> bool:
    """Settle the attempt behind a PaymentIntent Stripe decided on (its webhook), once.

    ``failure_reason`` None means it succeeded. False when there is nothing to do: the event was
    applied before, the PaymentIntent is not one of billing's, or the attempt is already settled.
    """
    async with uow:
        payments = PaymentsRepository(uow.session)
        now = uow.clock.now()
        if not await payments.claim_webhook_event(event_id, event_type, now):
            return False
        attempt = await payments.attempt(payment_id) if payment_id else None
        attempt = attempt or await payments.attempt_by_intent(payment_intent_id)
        known_intent = attempt.stripe_payment_intent_id if attempt else None
        if attempt is None or attempt.status.settled or known_intent not in (None, payment_intent_id):
            await uow.commit()  # remembered as applied: a redelivery stays a no-op
            return False
        # Stripe's webhook carries no trace of ours: the settlement continues the attempt's trace
        # (so a renewal's payment e-mail is in the renewal's trace), linked to the webhook's request.
        webhook = trace.get_current_span().get_span_context()
        links = [trace.Link(webhook)] if webhook.is_valid else []
        cause = await payments.trace_of(attempt.payment_id)
        with stored_trace(*cause), tracer().start_as_current_span("settle payment", links=links):
            if failure_reason is None:
                await settle_success(uow, attempt, now, payment_intent_id)
            else:
                await settle_failure(uow, attempt, failure_reason, now, schedule, payment_intent_id)
        await uow.commit()
        return True


async def ignore_webhook_event(uow: BillingUnitOfWork, event_id: str, event_type: str) -> None:
    """Remember a Stripe event billing has nothing to do with, so its redelivery is cheap."""
    async with uow:
        await PaymentsRepository(uow.session).claim_webhook_event(event_id, event_type, uow.clock.now())
        await uow.commit()
