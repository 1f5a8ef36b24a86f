"""Every query of billing payments: customers, cards, payment attempts, webhooks, reminders, addresses.

The unit of work is billing core's :class:`~tessera_billing.adapters.uow.BillingUnitOfWork`; the use
cases make a :class:`PaymentsRepository` on its session, so its queries share the transaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy import delete, func, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tessera_billing.adapters.orm import PayerAssignmentRow, SubscriptionRow
from tessera_billing.adapters.orm_invoices import InvoiceRow
from tessera_billing.adapters.orm_payments import (
    BillingAddressRow,
    CardSetupRow,
    PaymentAttemptRow,
    PaymentMethodRow,
    ReminderPreferencesRow,
    RenewalReminderRow,
    StripeCustomerRow,
    StripeWebhookEventRow,
)
from tessera_billing.domain.addresses import AddressBook, BillingAddress, PostalAddress
from tessera_billing.domain.money import Currency, Money
from tessera_billing.domain.payments import AttemptStatus, Card, CardOnFile, CardsOnFile, PaymentAttempt
from tessera_billing.domain.reminders import Notice, ReminderPreferences
from tessera_billing.domain.timeline import Effective, Timeline
from tessera_kit.telemetry import current_trace_headers

PAYMENTS_CHANNEL = "billing_payments"
REMINDERS_CHANNEL = "billing_reminders"


@dataclass(frozen=True)
class InvoiceToCharge:
    """What charging an invoice needs to know of it."""

    invoice_id: UUID
    number: str | None
    status: str
    payer_organisation_id: UUID
    total: Money


@dataclass(frozen=True)
class CardSetup:
    """A SetupIntent billing opened for an organisation."""

    setup_id: UUID
    organisation_id: UUID
    stripe_setup_intent_id: str
    payment_method_id: str | None


@dataclass(frozen=True)
class UpcomingRenewal:
    """A subscription's next renewal, who pays it, and what it is for."""

    subscription_id: UUID
    owner_organisation_id: UUID
    payer_organisation_id: UUID
    product_code: str
    product_name: str
    price: Money
    renews_on: date


class PaymentsRepository:
    """billing payments' queries, in the unit of work's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock_organisation(self, organisation_id: UUID) -> None:
        """Serialise changes to one organisation's cards or addresses until commit."""
        await self._session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"billing-payments:{organisation_id}"},
        )

    async def wake(self, channel: str) -> None:
        """Wake the jobs listening on ``channel`` when this transaction commits."""
        await self._session.execute(text(f"NOTIFY {channel}"))

    # Stripe customers and card setups

    async def customer_of(self, organisation_id: UUID) -> str | None:
        """The organisation's Stripe customer id, if it has one."""
        return await self._session.scalar(
            select(StripeCustomerRow.stripe_customer_id).where(
                StripeCustomerRow.organisation_id == organisation_id
            )
        )

    async def add_customer(self, organisation_id: UUID, customer_id: str, at: datetime) -> str:
        """Keep the organisation's customer; the one kept first wins a race."""
        await self._session.execute(
            insert(StripeCustomerRow)
            .values(organisation_id=organisation_id, stripe_customer_id=customer_id, created_at=at)
            .on_conflict_do_nothing()
        )
        stored = await self.customer_of(organisation_id)
        assert stored is not None
        return stored

    async def add_card_setup(self, setup: CardSetup, requested_by_user_id: UUID, at: datetime) -> None:
        """Remember a SetupIntent opened for an organisation."""
        # The same command sent again (same Idempotency-Key) got the same SetupIntent: keep one row.
        await self._session.execute(
            insert(CardSetupRow)
            .values(
                setup_id=setup.setup_id,
                organisation_id=setup.organisation_id,
                stripe_setup_intent_id=setup.stripe_setup_intent_id,
                requested_by_user_id=requested_by_user_id,
                created_at=at,
            )
            .on_conflict_do_nothing()
        )

    async def card_setup(self, *, setup_id: UUID | None = None, setup_intent_id: str) -> CardSetup | None:
        """A SetupIntent billing opened, by its id at Stripe (and billing's own, when known)."""
        query = select(CardSetupRow).where(CardSetupRow.stripe_setup_intent_id == setup_intent_id)
        if setup_id is not None:
            query = query.where(CardSetupRow.setup_id == setup_id)
        row = await self._session.scalar(query.order_by(CardSetupRow.created_at.desc()).limit(1))
        if row is None:
            return None
        return CardSetup(row.setup_id, row.organisation_id, row.stripe_setup_intent_id, row.payment_method_id)

    async def complete_card_setup(self, setup_id: UUID, payment_method_id: str, at: datetime) -> None:
        """Record the card a SetupIntent saved."""
        await self._session.execute(
            update(CardSetupRow)
            .where(CardSetupRow.setup_id == setup_id)
            .values(payment_method_id=payment_method_id, completed_at=at)
        )

    # Cards on file

    async def cards_of(self, organisation_id: UUID) -> CardsOnFile:
        """An organisation's cards, oldest first."""
        rows = await self._session.scalars(
            select(PaymentMethodRow)
            .where(PaymentMethodRow.organisation_id == organisation_id)
            .order_by(PaymentMethodRow.added_at, PaymentMethodRow.payment_method_id)
        )
        return CardsOnFile(
            organisation_id,
            [
                CardOnFile(
                    Card(row.payment_method_id, row.brand, row.last4, row.exp_month, row.exp_year),
                    added_at=row.added_at,
                    primary=row.is_primary,
                )
                for row in rows
            ],
        )

    async def card_owner(self, payment_method_id: str) -> UUID | None:
        """The organisation a card is on file for, if any."""
        owner: UUID | None = await self._session.scalar(
            select(PaymentMethodRow.organisation_id).where(
                PaymentMethodRow.payment_method_id == payment_method_id
            )
        )
        return owner

    async def save_cards(self, cards: CardsOnFile) -> None:
        """Store an organisation's cards: the forgotten ones go, the primary flag moves.

        A card on file for another organisation is left as it is: a card never changes owner (the use
        case refuses such a card before it gets here; this holds even if two setups race)."""
        kept = [saved.card.payment_method_id for saved in cards.cards]
        owned = PaymentMethodRow.organisation_id == cards.organisation_id
        # Clear the old primary before setting the new one: the unique index is checked per row.
        await self._session.execute(update(PaymentMethodRow).where(owned).values(is_primary=False))
        await self._session.execute(
            delete(PaymentMethodRow).where(owned, PaymentMethodRow.payment_method_id.not_in(kept))
        )
        for saved in cards.cards:
            values = {
                "brand": saved.card.brand,
                "last4": saved.card.last4,
                "exp_month": saved.card.exp_month,
                "exp_year": saved.card.exp_year,
                "is_primary": saved.primary,
            }
            await self._session.execute(
                insert(PaymentMethodRow)
                .values(
                    payment_method_id=saved.card.payment_method_id,
                    organisation_id=cards.organisation_id,
                    added_at=saved.added_at,
                    **values,
                )
                .on_conflict_do_update(index_elements=["payment_method_id"], set_=values, where=owned)
            )

    # Invoices (billing core's table) and payment attempts

    async def invoice_to_charge(
        self, invoice_id: UUID, *, for_update: bool = False
    ) -> InvoiceToCharge | None:
        """The invoice's payer, total and state; ``for_update`` holds it until commit."""
        query = select(InvoiceRow).where(InvoiceRow.invoice_id == invoice_id)
        row = await self._session.scalar(query.with_for_update() if for_update else query)
        if row is None:
            return None
        return InvoiceToCharge(
            invoice_id=row.invoice_id,
            number=row.number,
            status=row.status,
            payer_organisation_id=row.payer_organisation_id,
            total=Money(row.total_minor, Currency(row.currency)),
        )

    async def attempts_at(self, invoice_id: UUID) -> list[PaymentAttempt]:
        """Every attempt at charging an invoice, first first."""
        rows = await self._session.scalars(
            select(PaymentAttemptRow)
            .where(PaymentAttemptRow.invoice_id == invoice_id)
            .order_by(PaymentAttemptRow.attempt)
        )
        return [_attempt(row) for row in rows]

    async def attempts_of(self, organisation_id: UUID, limit: int = 100) -> list[PaymentAttempt]:
        """An organisation's payment attempts, newest first."""
        rows = await self._session.scalars(
            select(PaymentAttemptRow)
            .where(PaymentAttemptRow.payer_organisation_id == organisation_id)
            .order_by(PaymentAttemptRow.created_at.desc(), PaymentAttemptRow.attempt.desc())
            .limit(limit)
        )
        return [_attempt(row) for row in rows]

    async def attempt(self, payment_id: UUID) -> PaymentAttempt | None:
        """One attempt, locked until commit (a webhook and the job may settle it at once)."""
        row = await self._session.scalar(
            select(PaymentAttemptRow).where(PaymentAttemptRow.payment_id == payment_id).with_for_update()
        )
        return _attempt(row) if row is not None else None

    async def attempt_by_intent(self, payment_intent_id: str) -> PaymentAttempt | None:
        """The attempt that created a PaymentIntent, locked until commit."""
        row = await self._session.scalar(
            select(PaymentAttemptRow)
            .where(PaymentAttemptRow.stripe_payment_intent_id == payment_intent_id)
            .with_for_update()
        )
        return _attempt(row) if row is not None else None

    async def next_attempt_to_run(self, now: datetime, stale_before: datetime) -> PaymentAttempt | None:
        """A due attempt no other process is running (skipped while locked), locked until commit.

        Due: scheduled for now or earlier, or handed to Stripe so long ago without an answer that
        the process doing it must have died (re-sending it reuses its idempotency key).
        """
        row = await self._session.scalar(
            select(PaymentAttemptRow)
            .where(
                (
                    (PaymentAttemptRow.status == AttemptStatus.SCHEDULED.value)
                    & (PaymentAttemptRow.due_at <= now)
                )
                | (
                    (PaymentAttemptRow.status == AttemptStatus.SUBMITTING.value)
                    & (PaymentAttemptRow.submitted_at <= stale_before)
                )
            )
            .order_by(PaymentAttemptRow.due_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        return _attempt(row) if row is not None else None

    async def next_attempt_due_at(self, resubmit_after_seconds: float) -> datetime | None:
        """When the next attempt falls due (or a stuck one is to be re-sent)."""
        scheduled = await self._session.scalar(
            select(func.min(PaymentAttemptRow.due_at)).where(
                PaymentAttemptRow.status == AttemptStatus.SCHEDULED.value
            )
        )
        stuck = await self._session.scalar(
            select(func.min(PaymentAttemptRow.submitted_at)).where(
                PaymentAttemptRow.status == AttemptStatus.SUBMITTING.value
            )
        )
        if stuck is not None:
            stuck = stuck + _seconds(resubmit_after_seconds)
        return min((due for due in (scheduled, stuck) if due is not None), default=None)

    async def save_attempt(self, attempt: PaymentAttempt, at: datetime) -> None:
        """Store a new or changed attempt; a new one keeps the current trace, for the job to continue."""
        values = {
            "status": attempt.status.value,
            "due_at": attempt.due_at,
            "first_failed_at": attempt.first_failed_at,
            "payment_method_id": attempt.payment_method_id,
            "card_last4": attempt.card_last4,
            "stripe_payment_intent_id": attempt.stripe_payment_intent_id,
            "failure_reason": attempt.failure_reason,
            "submitted_at": attempt.submitted_at,
            "settled_at": attempt.settled_at,
        }
        trace = current_trace_headers()
        await self._session.execute(
            insert(PaymentAttemptRow)
            .values(
                payment_id=attempt.payment_id,
                invoice_id=attempt.invoice_id,
                payer_organisation_id=attempt.payer_organisation_id,
                amount_minor=attempt.amount.amount_minor,
                currency=attempt.amount.currency.value,
                attempt=attempt.attempt,
                created_at=at,
                traceparent=trace.get("traceparent"),
                tracestate=trace.get("tracestate"),
                **values,
            )
            .on_conflict_do_update(index_elements=["payment_id"], set_=values)
        )

    async def trace_of(self, payment_id: UUID) -> tuple[str | None, str | None]:
        """The trace context stored with an attempt (traceparent, tracestate)."""
        row = (
            await self._session.execute(
                select(PaymentAttemptRow.traceparent, PaymentAttemptRow.tracestate).where(
                    PaymentAttemptRow.payment_id == payment_id
                )
            )
        ).one_or_none()
        return (row.traceparent, row.tracestate) if row is not None else (None, None)

    # The Stripe webhooks' inbox

    async def claim_webhook_event(self, event_id: str, event_type: str, at: datetime) -> bool:
        """Record that a Stripe event is applied; False if it already was (a redelivery)."""
        result = await self._session.execute(
            insert(StripeWebhookEventRow)
            .values(event_id=event_id, event_type=event_type, received_at=at)
            .on_conflict_do_nothing()
            .returning(StripeWebhookEventRow.event_id)
        )
        return result.first() is not None

    # Reminder preferences and reminders

    async def preferences_of(self, organisation_ids: Iterable[UUID]) -> dict[UUID, ReminderPreferences]:
        """Each organisation's preferences; the defaults for one that never chose."""
        wanted = set(organisation_ids)
        rows = await self._session.scalars(
            select(ReminderPreferencesRow).where(ReminderPreferencesRow.organisation_id.in_(wanted))
        )
        chosen = {row.organisation_id: _preferences(row) for row in rows}
        return {organisation: chosen.get(organisation, ReminderPreferences()) for organisation in wanted}

    async def save_preferences(
        self, organisation_id: UUID, preferences: ReminderPreferences, user_id: UUID, at: datetime
    ) -> None:
        """Replace an organisation's preferences."""
        values = {
            "reminders_enabled": preferences.reminders_enabled,
            "lead_days": list(preferences.lead_days),
            "auto_renewal_notice": preferences.auto_renewal_notice,
            "updated_at": at,
            "updated_by_user_id": user_id,
        }
        await self._session.execute(
            insert(ReminderPreferencesRow)
            .values(organisation_id=organisation_id, **values)
            .on_conflict_do_update(index_elements=["organisation_id"], set_=values)
        )

    async def renewals_between(self, first: date, last: date) -> list[UpcomingRenewal]:
        """Subscriptions still running whose next renewal falls in [first, last], with its payer."""
        rows = (
            await self._session.scalars(
                select(SubscriptionRow).where(
                    SubscriptionRow.next_renewal_on.between(first, last),
                    SubscriptionRow.cancelled_at.is_(None),
                )
            )
        ).all()
        payers = await self._payer_timelines([row.subscription_id for row in rows])
        return [
            UpcomingRenewal(
                subscription_id=row.subscription_id,
                owner_organisation_id=row.owner_organisation_id,
                payer_organisation_id=payers[row.subscription_id].value_on(row.next_renewal_on),
                product_code=row.product_code,
                product_name=row.product_name,
                price=Money(row.price_amount_minor, Currency(row.price_currency)),
                renews_on=row.next_renewal_on,
            )
            for row in rows
            if row.subscription_id in payers
        ]

    async def _payer_timelines(self, subscription_ids: list[UUID]) -> dict[UUID, Timeline[UUID]]:
        rows = await self._session.scalars(
            select(PayerAssignmentRow).where(PayerAssignmentRow.subscription_id.in_(subscription_ids))
        )
        changes: dict[UUID, list[Effective[UUID]]] = {}
        for row in rows:
            changes.setdefault(row.subscription_id, []).append(
                Effective(row.payer_organisation_id, row.effective_from)
            )
        return {subscription: Timeline(history) for subscription, history in changes.items()}

    async def sent_lead_days(
        self, renewals: Iterable[tuple[UUID, date]]
    ) -> dict[tuple[UUID, date], set[int]]:
        """The lead times already sent for each (subscription, renewal day)."""
        keys = list(renewals)
        if not keys:
            return {}
        rows = await self._session.execute(
            select(
                RenewalReminderRow.subscription_id, RenewalReminderRow.renews_on, RenewalReminderRow.lead_days
            ).where(tuple_(RenewalReminderRow.subscription_id, RenewalReminderRow.renews_on).in_(keys))
        )
        sent: dict[tuple[UUID, date], set[int]] = {}
        for subscription_id, renews_on, lead_days in rows:
            sent.setdefault((subscription_id, renews_on), set()).add(lead_days)
        return sent

    async def record_reminder(
        self, reminder_id: UUID, renewal: UpcomingRenewal, notice: Notice, at: datetime
    ) -> bool:
        """Record a notice as sent; False when it already was (by this process or another)."""
        result = await self._session.execute(
            insert(RenewalReminderRow)
            .values(
                reminder_id=reminder_id,
                subscription_id=renewal.subscription_id,
                renews_on=notice.renews_on,
                lead_days=notice.lead_days,
                kind=notice.kind.value,
                payer_organisation_id=renewal.payer_organisation_id,
                sent_at=at,
            )
            .on_conflict_do_nothing(index_elements=["subscription_id", "renews_on", "lead_days"])
            .returning(RenewalReminderRow.reminder_id)
        )
        return result.first() is not None

    # Billing addresses

    async def address_book(self, organisation_id: UUID) -> AddressBook:
        """An organisation's billing addresses, oldest first."""
        rows = await self._session.scalars(
            select(BillingAddressRow)
            .where(BillingAddressRow.organisation_id == organisation_id)
            .order_by(BillingAddressRow.created_at, BillingAddressRow.address_id)
        )
        return AddressBook(organisation_id, [_address(row) for row in rows])

    async def save_address_book(self, book: AddressBook) -> None:
        """Store an organisation's addresses: the removed ones go, the default flag moves."""
        owned = BillingAddressRow.organisation_id == book.organisation_id
        kept = [entry.address_id for entry in book.addresses]
        await self._session.execute(update(BillingAddressRow).where(owned).values(is_default=False))
        await self._session.execute(
            delete(BillingAddressRow).where(owned, BillingAddressRow.address_id.not_in(kept))
        )
        for entry in book.addresses:
            address = entry.address
            values = {
                "organisation_id": book.organisation_id,
                "name": address.name,
                "line1": address.line1,
                "line2": address.line2,
                "postal_code": address.postal_code,
                "city": address.city,
                "region": address.region,
                "country": address.country,
                "is_default": entry.default,
                "updated_at": entry.updated_at,
            }
            await self._session.execute(
                insert(BillingAddressRow)
                .values(address_id=entry.address_id, created_at=entry.created_at, **values)
                .on_conflict_do_update(index_elements=["address_id"], set_=values)
            )


def _seconds(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


def _attempt(row: PaymentAttemptRow) -> PaymentAttempt:
    return PaymentAttempt(
        payment_id=row.payment_id,
        invoice_id=row.invoice_id,
        payer_organisation_id=row.payer_organisation_id,
        amount=Money(row.amount_minor, Currency(row.currency)),
        attempt=row.attempt,
        due_at=row.due_at,
        status=AttemptStatus(row.status),
        first_failed_at=row.first_failed_at,
        payment_method_id=row.payment_method_id,
        card_last4=row.card_last4,
        stripe_payment_intent_id=row.stripe_payment_intent_id,
        failure_reason=row.failure_reason,
        submitted_at=row.submitted_at,
        settled_at=row.settled_at,
    )


def _preferences(row: ReminderPreferencesRow) -> ReminderPreferences:
    return ReminderPreferences(
        reminders_enabled=row.reminders_enabled,
        lead_days=tuple(row.lead_days),
        auto_renewal_notice=row.auto_renewal_notice,
    )


def _address(row: BillingAddressRow) -> BillingAddress:
    return BillingAddress(
        address_id=row.address_id,
        address=PostalAddress(
            name=row.name,
            line1=row.line1,
            line2=row.line2,
            postal_code=row.postal_code,
            city=row.city,
            region=row.region,
            country=row.country,
        ),
        created_at=row.created_at,
        updated_at=row.updated_at,
        default=row.is_default,
    )
