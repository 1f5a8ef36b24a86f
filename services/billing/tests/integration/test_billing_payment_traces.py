"""A payment's spans belong to the trace of what asked for it: the charge job and Stripe's webhook
continue the trace stored with the attempt, and every Stripe call is a client span of its own.

On a real database and stripe-mock, the payment job and the webhook's use case run in this process.
"""

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import text

from tessera_billing.adapters.payment_requests import payment_requests
from tessera_billing.adapters.payments_repository import PaymentsRepository
from tessera_billing.adapters.stripe_gateway import StripeGateway
from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.config import BillingSettings
from tessera_billing.domain.dunning import RetrySchedule
from tessera_billing.domain.payments import Card, CardsOnFile
from tessera_billing.service_layer.payments import PaymentCollector, apply_payment_outcome
from tessera_billing.service_layer.renewals import renew_due
from tessera_billing.service_layer.subscriptions import order_subscription
from tessera_devtools.endpoints import Endpoints
from tessera_devtools.stripe_mock import TEST_KEY
from tessera_events import Currency
from tessera_events.identity import Role
from tessera_kit.auth import Caller
from tessera_kit.db import Database
from tessera_kit.telemetry import configure_tracing, tracer

pytestmark = pytest.mark.integration

SCHEDULE = RetrySchedule((1, 3, 7))


class FixedClock:
    """Billing's clock at one instant."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        """The chosen instant."""
        return self.current


@pytest.fixture
async def database(billing_settings: BillingSettings) -> AsyncIterator[Database]:
    db = Database(billing_settings.database_url)
    yield db
    await db.dispose()


@pytest.fixture
def spans(billing_settings: BillingSettings) -> Iterator[InMemorySpanExporter]:
    """Every span this process ends while the test runs."""
    configure_tracing(billing_settings)  # the process's provider (kept when an app installed it first)
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    yield exporter
    processor.shutdown()


@pytest.fixture
def units(database: Database) -> "UnitsOfWork":
    return UnitsOfWork(database, FixedClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)))


class UnitsOfWork:
    """Billing's units of work on the test database."""

    def __init__(self, database: Database, clock: FixedClock) -> None:
        self._database, self.clock, self._payments = database, clock, payment_requests()

    def __call__(self) -> BillingUnitOfWork:
        return BillingUnitOfWork(
            self._database, source="/tessera/billing", clock=self.clock, payments=self._payments
        )


async def _card_on_file(units: UnitsOfWork, organisation: UUID) -> None:
    async with units() as uow:
        payments = PaymentsRepository(uow.session)
        await payments.add_customer(organisation, "cus_traced", uow.clock.now())
        cards = CardsOnFile(organisation)
        cards.add(Card(f"pm_visa_{organisation.hex}", "visa", "4242", 12, 2030), uow.clock.now())
        await payments.save_cards(cards)
        await uow.commit()


async def _order(units: UnitsOfWork, organisation: UUID) -> tuple[UUID, UUID]:
    """(subscription, first invoice) of an order of Web Hosting Pro."""
    subscription, invoice = await order_subscription(
        units(),
        organisation_id=organisation,
        product_code="web-hosting-pro",
        price_currency=Currency.CHF,
        relationship_id=None,
        caller=Caller(uuid4(), {organisation: Role.MEMBER}),
    )
    return subscription.subscription_id, invoice.invoice_id


async def _attempt_of(database: Database, invoice_id: UUID) -> tuple[UUID, str]:
    async with database.session() as session:
        row = (
            await session.execute(
                text(
                    "SELECT payment_id, stripe_payment_intent_id FROM payment_attempts "
                    "WHERE invoice_id = :id ORDER BY attempt DESC LIMIT 1"
                ),
                {"id": invoice_id},
            )
        ).one()
    return row.payment_id, row.stripe_payment_intent_id


async def _trace_ids_in_outbox(database: Database, event_type: str) -> set[str]:
    async with database.session() as session:
        rows = await session.execute(
            text("SELECT traceparent FROM tessera_outbox WHERE event_type = :type"), {"type": event_type}
        )
        return {row.traceparent.split("-")[1] for row in rows if row.traceparent}


def _in_trace(exporter: InMemorySpanExporter, trace_id: int) -> list[ReadableSpan]:
    return [
        span
        for span in exporter.get_finished_spans()
        if span.context is not None and span.context.trace_id == trace_id
    ]


async def test_an_orders_charge_and_its_webhook_settlement_continue_the_orders_trace_with_a_stripe_span(
    units: UnitsOfWork, database: Database, infra: Endpoints, spans: InMemorySpanExporter
) -> None:
    organisation = uuid4()
    await _card_on_file(units, organisation)
    with tracer().start_as_current_span("order request", kind=SpanKind.SERVER) as origin:
        _, invoice_id = await _order(units, organisation)
    gateway = StripeGateway(TEST_KEY, infra.stripe_api_base)
    try:
        await PaymentCollector(units, gateway, SCHEDULE, 300.0).collect_due()
    finally:
        await gateway.close()
    payment_id, intent_id = await _attempt_of(database, invoice_id)
    # Stripe's webhook arrives later, in a request of its own (no trace of ours in it).
    settled = await apply_payment_outcome(
        units(),
        SCHEDULE,
        event_id=f"evt_{uuid4().hex}",
        event_type="payment_intent.succeeded",
        payment_intent_id=intent_id,
        payment_id=payment_id,
        failure_reason=None,
    )

    trace_id = origin.get_span_context().trace_id
    traced = {span.name: span for span in _in_trace(spans, trace_id)}
    assert settled is True
    assert {"charge invoice", "POST /v1/payment_intents", "settle payment"} <= set(traced)
    stripe_call = traced["POST /v1/payment_intents"]
    assert stripe_call.kind is SpanKind.CLIENT
    assert stripe_call.parent is not None
    assert stripe_call.parent.span_id == traced["charge invoice"].context.span_id
    attributes = dict(stripe_call.attributes or {})
    assert attributes.pop("server.port") == int(infra.stripe_api_base.rsplit(":", 1)[1])
    assert attributes == {
        "http.request.method": "POST",
        "server.address": "127.0.0.1",
        "url.scheme": "http",
        "url.path": "/v1/payment_intents",
        "url.template": "/v1/payment_intents",
        "peer.service": "stripe",
        "http.response.status_code": 200,
    }
    # The e-mail notify sends for the payment continues this trace: PaymentSucceeded carries it.
    assert format(trace_id, "032x") in await _trace_ids_in_outbox(
        database, "tessera.billing.PaymentSucceeded.v1"
    )


async def test_each_renewal_starts_a_trace_of_its_own_that_its_invoice_and_charge_carry(
    units: UnitsOfWork, database: Database, infra: Endpoints, spans: InMemorySpanExporter
) -> None:
    organisation = uuid4()
    await _card_on_file(units, organisation)
    subscription_id, _ = await _order(units, organisation)
    async with units() as uow:
        subscription = await uow.subscriptions.get(subscription_id)
    assert subscription is not None

    run = await renew_due(units, until=subscription.next_renewal_on)
    gateway = StripeGateway(TEST_KEY, infra.stripe_api_base)
    try:
        await PaymentCollector(units, gateway, SCHEDULE, 300.0).collect_due()
    finally:
        await gateway.close()

    [renewal] = [
        span
        for span in spans.get_finished_spans()
        if span.name == "renew subscription"
        and (span.attributes or {}).get("tessera.subscription_id") == str(subscription_id)
    ]
    assert renewal.parent is None  # a root: the job's renewals are not one endless trace
    trace_id = renewal.context.trace_id
    names = {span.name for span in _in_trace(spans, trace_id)}
    assert [invoice.invoice_id for invoice in run.invoices]
    assert {"renew subscription", "charge invoice", "POST /v1/payment_intents"} <= names
    assert format(trace_id, "032x") in await _trace_ids_in_outbox(
        database, "tessera.billing.SubscriptionRenewed.v1"
    )
