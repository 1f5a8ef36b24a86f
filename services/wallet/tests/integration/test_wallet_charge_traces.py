"""A card charge belongs to the trace of what caused it: the charging job continues the trace stored
with the charge, and a call to Stripe (stripe-mock) is a client span of its own."""

import secrets
from collections.abc import Iterator
from uuid import uuid4

import pytest
from conftest import Wallet, give_card
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from tessera_devtools.testing import TokenIssuer, eventually
from tessera_events.identity import Role
from tessera_kit.telemetry import configure_tracing, tracer
from tessera_wallet.adapters.stripe_gateway import StripeGateway
from tessera_wallet.config import WalletSettings
from tessera_wallet.domain.charges import ChargeKind, ChargeRequest
from tessera_wallet.domain.ledger import Currency

pytestmark = pytest.mark.integration


@pytest.fixture
def spans(wallet_settings: WalletSettings) -> Iterator[InMemorySpanExporter]:
    """Every span this process ends while the test runs."""
    configure_tracing(wallet_settings)  # the process's provider (kept when an app installed it first)
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    yield exporter
    processor.shutdown()


async def test_an_auto_recharge_is_charged_by_the_job_in_the_trace_of_the_debit_that_caused_it(
    wallet: Wallet, tokens: TokenIssuer, spans: InMemorySpanExporter
) -> None:
    client = uuid4()
    path = f"/v1/organisations/{client}/wallets/CHF"
    owner = tokens.headers({client: Role.LEGAL_REPRESENTATIVE})
    await give_card(wallet, client)
    topped_up = await wallet.http.post(f"{path}/top-ups", json={"amount_minor": 3000}, headers=owner)
    recharge = {"enabled": True, "threshold_minor": 2000, "amount_minor": 5000, "monthly_cap_minor": 50000}
    configured = await wallet.http.put(f"{path}/auto-recharge", json=recharge, headers=owner)
    assert (topped_up.status_code, configured.status_code) == (201, 200)
    trace_id = secrets.token_hex(16)

    debited = await wallet.http.post(
        f"{path}/usage",
        json={"usage_id": str(uuid4()), "kind": "sms", "quantity": 1, "amount_minor": 1500},
        headers=owner | {"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"},
    )

    assert debited.status_code == 201, debited.text

    async def charged_in_the_debits_trace() -> list[ReadableSpan]:
        return _named(spans, "charge wallet", int(trace_id, 16))

    charged = await eventually(charged_in_the_debits_trace, what="the recharge charged in the debit's trace")
    assert charged[0].parent is not None  # a child of the debit's request, not a trace of its own


async def test_every_call_to_stripe_is_a_client_span_by_the_http_conventions(
    wallet_settings: WalletSettings, spans: InMemorySpanExporter
) -> None:
    key = wallet_settings.stripe_api_key.get_secret_value()
    gateway = StripeGateway(key, wallet_settings.stripe_api_base)
    request = ChargeRequest(
        charge_id=uuid4(),
        kind=ChargeKind.AUTO_RECHARGE,
        attempt=1,
        wallet_id=uuid4(),
        organisation_id=uuid4(),
        amount_minor=5000,
        currency=Currency.CHF,
        customer_id="cus_wallet_trace",
        payment_method_id="pm_card_visa",
    )

    with tracer().start_as_current_span("charge wallet") as job:
        await gateway.charge(request)

    [call] = _named(spans, "POST /v1/payment_intents", job.get_span_context().trace_id)
    assert call.kind is SpanKind.CLIENT
    assert call.parent is not None
    assert call.parent.span_id == job.get_span_context().span_id
    attributes = dict(call.attributes or {})
    assert (attributes["http.request.method"], attributes["url.path"]) == ("POST", "/v1/payment_intents")
    assert attributes["server.address"] == "127.0.0.1"
    assert attributes["http.response.status_code"] == 200
    assert attributes["peer.service"] == "stripe"


def _named(exporter: InMemorySpanExporter, name: str, trace_id: int) -> list[ReadableSpan]:
    return [
        span
        for span in exporter.get_finished_spans()
        if span.name == name and span.context is not None and span.context.trace_id == trace_id
    ]
