"""The Stripe gateway against stripe-mock: real HTTP, the requests billing sends, and their idempotency keys.

stripe-mock checks every request against Stripe's OpenAPI description and answers with a canned
object; it stores nothing. So these tests assert on what billing sends (recorded on the way out)
and on stripe-mock accepting it, not on Stripe remembering anything.
"""

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs
from uuid import uuid4

import pytest
import stripe

from tessera_billing.adapters.stripe_gateway import ChargeStatus, StripeGateway
from tessera_billing.domain.money import Currency, Money
from tessera_devtools.endpoints import Endpoints
from tessera_devtools.stripe_mock import TEST_KEY

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class SentRequest:
    """One request billing sent to Stripe."""

    method: str
    path: str
    idempotency_key: str | None
    form: dict[str, list[str]]


class RecordingHTTPClient(stripe.HTTPXClient):
    """stripe's own HTTPX client, remembering each request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[SentRequest] = []

    async def request_async(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        form = parse_qs(post_data.decode() if isinstance(post_data, bytes) else post_data or "")
        path = url.split("://", 1)[-1].split("/", 1)[-1]
        self.sent.append(SentRequest(method.upper(), f"/{path}", headers.get("Idempotency-Key"), form))
        answer: tuple[bytes, int, Mapping[str, str]] = await super().request_async(
            method, url, headers, post_data
        )
        return answer


@pytest.fixture
async def recorded(infra: Endpoints) -> AsyncIterator[tuple[StripeGateway, RecordingHTTPClient]]:
    client = RecordingHTTPClient()
    gateway = StripeGateway(TEST_KEY, infra.stripe_api_base, http_client=client)
    yield gateway, client
    await gateway.close()


async def test_an_organisations_customer_is_created_with_a_key_derived_from_the_organisation(
    recorded: tuple[StripeGateway, RecordingHTTPClient],
) -> None:
    gateway, client = recorded
    organisation = uuid4()

    customer_id = await gateway.create_customer(organisation)
    await gateway.create_customer(organisation)

    assert customer_id.startswith("cus_")
    keys = [request.idempotency_key for request in client.sent]
    assert keys == [f"tessera-customer-{organisation}"] * 2
    assert client.sent[0].form["metadata[organisation_id]"] == [str(organisation)]


async def test_a_card_setup_is_off_session_on_the_customer_and_keyed_by_the_command(
    recorded: tuple[StripeGateway, RecordingHTTPClient],
) -> None:
    gateway, client = recorded
    organisation, setup_id = uuid4(), uuid4()

    opened = await gateway.open_card_setup("cus_acme", organisation, setup_id)

    assert opened.setup_intent_id.startswith("seti_")
    assert opened.client_secret
    sent = client.sent[-1]
    assert (sent.method, sent.path) == ("POST", "/v1/setup_intents")
    assert sent.idempotency_key == f"tessera-card-setup-{setup_id}"
    assert sent.form["customer"] == ["cus_acme"]
    assert sent.form["usage"] == ["off_session"]
    assert sent.form["metadata[setup_id]"] == [str(setup_id)]


async def test_an_off_session_charge_carries_amount_currency_card_and_the_attempts_key(
    recorded: tuple[StripeGateway, RecordingHTTPClient],
) -> None:
    gateway, client = recorded
    key = f"tessera-payment-{uuid4()}"

    outcome = await gateway.charge_off_session(
        customer_id="cus_acme",
        payment_method_id="pm_visa",
        amount=Money(19361, Currency.CHF),
        idempotency_key=key,
        metadata={"invoice_id": "inv", "payment_id": "pay"},
    )

    assert outcome.payment_intent_id is not None
    assert outcome.payment_intent_id.startswith("pi_")
    # stripe-mock confirms nothing: its canned intent waits, as one Stripe settles by webhook would.
    assert outcome.status is ChargeStatus.PENDING
    sent = client.sent[-1]
    assert (sent.path, sent.idempotency_key) == ("/v1/payment_intents", key)
    assert sent.form["amount"] == ["19361"]
    assert sent.form["currency"] == ["chf"]
    assert sent.form["off_session"] == ["true"]
    assert sent.form["confirm"] == ["true"]
    assert sent.form["customer"] == ["cus_acme"]
    assert sent.form["payment_method"] == ["pm_visa"]


async def test_a_card_is_read_as_brand_last_digits_and_expiry_and_detached_with_a_key(
    recorded: tuple[StripeGateway, RecordingHTTPClient],
) -> None:
    gateway, client = recorded

    card = await gateway.card("pm_visa")
    await gateway.detach_card("pm_visa")

    assert card.payment_method_id == "pm_visa"
    assert card.brand == "visa"
    assert len(card.last4) == 4
    assert 1 <= card.exp_month <= 12
    detach = client.sent[-1]
    assert (detach.path, detach.idempotency_key) == (
        "/v1/payment_methods/pm_visa/detach",
        "tessera-detach-pm_visa",
    )
