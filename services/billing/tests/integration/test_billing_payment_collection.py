"""The payment job on a real database and stripe-mock, at chosen instants: dunning to the end, a lost
answer sent again under the same idempotency key, and two replicas never charging the same attempt."""

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
import stripe
from sqlalchemy import text

from tessera_billing.adapters.payment_requests import payment_requests
from tessera_billing.adapters.payments_repository import PaymentsRepository
from tessera_billing.adapters.stripe_gateway import ChargeOutcome, StripeGateway
from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.config import BillingSettings
from tessera_billing.domain.dunning import RetrySchedule
from tessera_billing.domain.money import Money
from tessera_billing.domain.payments import Card, CardsOnFile
from tessera_billing.service_layer.payments import PaymentCollector
from tessera_billing.service_layer.subscriptions import order_subscription
from tessera_devtools.endpoints import Endpoints
from tessera_devtools.stripe_mock import TEST_KEY
from tessera_events import Currency
from tessera_events.identity import Role
from tessera_kit.auth import Caller
from tessera_kit.db import Database

pytestmark = pytest.mark.integration

RESUBMIT_AFTER = 300.0


class MovableClock:
    """A clock the test moves."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        """The instant the test chose."""
        return self.current


class CountingGateway(StripeGateway):
    """stripe-mock behind the real gateway, counting charges; the first ``lose`` answers are lost."""

    def __init__(self, api_base: str, lose: int = 0) -> None:
        super().__init__(TEST_KEY, api_base)
        self.keys: list[str] = []
        self._lose = lose

    async def charge_off_session(
        self,
        *,
        customer_id: str,
        payment_method_id: str,
        amount: Money,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> ChargeOutcome:
        self.keys.append(idempotency_key)
        outcome = await super().charge_off_session(
            customer_id=customer_id,
            payment_method_id=payment_method_id,
            amount=amount,
            idempotency_key=idempotency_key,
            metadata=metadata,
        )
        if len(self.keys) <= self._lose:
            raise stripe.APIConnectionError("connection reset before the answer arrived")  # type: ignore[no-untyped-call]
        return outcome


@pytest.fixture
async def database(billing_settings: BillingSettings) -> AsyncIterator[Database]:
    db = Database(billing_settings.database_url)
    yield db
    await db.dispose()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))


def _units(database: Database, clock: MovableClock) -> "UnitsOfWork":
    return UnitsOfWork(database, clock)


class UnitsOfWork:
    """Makes billing's units of work on the test database, at the test's instant."""

    def __init__(self, database: Database, clock: MovableClock) -> None:
        self._database = database
        self._clock = clock
        self._payments = payment_requests()

    def __call__(self) -> BillingUnitOfWork:
        return BillingUnitOfWork(
            self._database, source="/tessera/billing", clock=self._clock, payments=self._payments
        )


async def _order(units: UnitsOfWork, organisation: UUID) -> UUID:
    _, invoice = await order_subscription(
        units(),
        organisation_id=organisation,
        product_code="web-hosting-pro",
        price_currency=Currency.CHF,
        relationship_id=None,
        caller=Caller(uuid4(), {organisation: Role.MEMBER}),
    )
    return invoice.invoice_id


async def _save_card(units: UnitsOfWork, organisation: UUID) -> None:
    async with units() as uow:
        payments = PaymentsRepository(uow.session)
        await payments.add_customer(organisation, "cus_acme", uow.clock.now())
        cards = CardsOnFile(organisation)
        cards.add(Card(f"pm_visa_{organisation.hex}", "visa", "4242", 12, 2030), uow.clock.now())
        await payments.save_cards(cards)
        await uow.commit()


async def _outbox(database: Database, event_type: str) -> list[dict[str, Any]]:
    async with database.session() as session:
        rows = await session.execute(
            text("SELECT payload FROM tessera_outbox WHERE event_type = :type ORDER BY created_at"),
            {"type": event_type},
        )
        return [
            json.loads(row.payload) if isinstance(row.payload, str | bytes) else row.payload for row in rows
        ]


async def test_an_invoice_nobody_pays_is_retried_after_one_three_and_seven_days_then_written_off(
    database: Database, clock: MovableClock, infra: Endpoints
) -> None:
    units = _units(database, clock)
    first_failure = clock.now()
    invoice_id = await _order(units, uuid4())
    gateway = CountingGateway(infra.stripe_api_base)
    collector = PaymentCollector(units, gateway, RetrySchedule((1, 3, 7)), RESUBMIT_AFTER)

    due_times = []
    while (next_due := await collector.collect_due()) is not None:
        due_times.append(next_due)
        clock.current = next_due
    await gateway.close()

    assert due_times == [first_failure + timedelta(days=days) for days in (1, 3, 7)]
    failures = [event["data"] for event in await _outbox(database, "tessera.billing.PaymentFailed.v1")]
    assert [failure["attempt"] for failure in failures] == [1, 2, 3, 4]
    assert failures[-1]["next_attempt_at"] is None
    voided = [event["data"] for event in await _outbox(database, "tessera.billing.InvoiceVoided.v1")]
    assert [(entry["invoice_id"], entry["uncollectible"]) for entry in voided] == [(str(invoice_id), True)]
    async with database.session() as session:
        status = await session.scalar(
            text("SELECT status FROM invoices WHERE invoice_id = :id"), {"id": invoice_id}
        )
    assert status == "uncollectible"
    assert gateway.keys == []  # no card on file: Stripe is never asked


async def test_a_charge_whose_answer_was_lost_is_sent_again_with_the_same_idempotency_key(
    database: Database, clock: MovableClock, infra: Endpoints
) -> None:
    units = _units(database, clock)
    organisation = uuid4()
    await _save_card(units, organisation)
    invoice_id = await _order(units, organisation)
    gateway = CountingGateway(infra.stripe_api_base, lose=1)
    collector = PaymentCollector(units, gateway, RetrySchedule(), RESUBMIT_AFTER)

    resend_at = await collector.collect_due()
    assert resend_at == clock.now() + timedelta(seconds=RESUBMIT_AFTER)
    clock.current = resend_at
    await collector.collect_due()
    await gateway.close()

    async with units() as uow:
        [attempt] = await PaymentsRepository(uow.session).attempts_at(invoice_id)
    assert gateway.keys == [attempt.idempotency_key, attempt.idempotency_key]
    assert attempt.status.value == "submitted"
    assert attempt.stripe_payment_intent_id


async def test_two_replicas_collecting_at_once_send_each_charge_once(
    database: Database, clock: MovableClock, infra: Endpoints
) -> None:
    units = _units(database, clock)
    organisations = [uuid4() for _ in range(3)]
    for organisation in organisations:
        await _save_card(units, organisation)
        await _order(units, organisation)
    gateways = [CountingGateway(infra.stripe_api_base) for _ in range(2)]
    collectors = [PaymentCollector(units, gateway, RetrySchedule(), RESUBMIT_AFTER) for gateway in gateways]

    await asyncio.gather(*(collector.collect_due() for collector in collectors))
    for gateway in gateways:
        await gateway.close()

    keys = [key for gateway in gateways for key in gateway.keys]
    assert len(keys) == len(set(keys)) == 3
