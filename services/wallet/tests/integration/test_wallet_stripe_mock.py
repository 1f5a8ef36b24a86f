"""Charging through Stripe's API (stripe-mock, which validates every request against Stripe's
OpenAPI and answers with canned objects: it stores nothing, and its PaymentIntents always come back
``requires_payment_method``, i.e. not paid)."""

import functools
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from conftest import Wallet, give_card

from tessera_devtools.testing import TokenIssuer, running_service
from tessera_events.identity import Role
from tessera_wallet.adapters.stripe_gateway import StripeGateway
from tessera_wallet.config import WalletSettings
from tessera_wallet.domain.charges import ChargeKind, ChargeRequest, PaymentResult
from tessera_wallet.domain.ledger import Currency
from tessera_wallet.main import define

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def stripe_wallet(wallet_settings: WalletSettings) -> AsyncIterator[Wallet]:
    """wallet charging through Stripe's API at stripe-mock."""
    async with running_service(functools.partial(define, gateway=None), wallet_settings) as running:
        yield running


async def test_a_top_up_goes_to_stripe_and_credits_nothing_while_the_payment_has_not_succeeded(
    stripe_wallet: Wallet, tokens: TokenIssuer
) -> None:
    client = uuid4()
    await give_card(stripe_wallet, client)
    headers = tokens.headers({client: Role.ADMINISTRATOR})
    path = f"/v1/organisations/{client}/wallets/CHF"

    response = await stripe_wallet.http.post(f"{path}/top-ups", json={"amount_minor": 2500}, headers=headers)
    top_up = await stripe_wallet.http.get(f"{path}/top-ups/{response.json()['top_up_id']}", headers=headers)
    balance = await stripe_wallet.http.get(path, headers=headers)

    assert response.status_code == 402, response.text
    assert top_up.json()["status"] == "failed"
    # Stripe accepted the request (a refused one would say invalid_request_error) and returned its intent.
    assert top_up.json()["failure_reason"] == "payment_intent_requires_payment_method"
    assert top_up.json()["payment_intent_id"].startswith("pi_")
    assert balance.json()["balance"]["total_minor"] == 0


async def test_stripe_accepts_an_off_session_recharge_request(wallet_settings: WalletSettings) -> None:
    gateway = StripeGateway(
        wallet_settings.stripe_api_key.get_secret_value(), wallet_settings.stripe_api_base
    )
    request = ChargeRequest(
        charge_id=uuid4(),
        kind=ChargeKind.AUTO_RECHARGE,
        attempt=2,
        wallet_id=uuid4(),
        organisation_id=uuid4(),
        amount_minor=5000,
        currency=Currency.EUR,
        customer_id="cus_wallet_test",
        payment_method_id="pm_card_visa",
    )

    outcome = await gateway.charge(request)

    assert outcome.result is PaymentResult.DECLINED
    assert outcome.reason == "payment_intent_requires_payment_method"
    assert outcome.payment_intent_id is not None
    assert outcome.payment_intent_id.startswith("pi_")


async def test_a_request_stripe_refuses_is_a_decline_with_stripes_reason(
    wallet_settings: WalletSettings,
) -> None:
    gateway = StripeGateway(
        wallet_settings.stripe_api_key.get_secret_value(), wallet_settings.stripe_api_base
    )
    request = ChargeRequest(
        charge_id=uuid4(),
        kind=ChargeKind.TOP_UP,
        attempt=1,
        wallet_id=uuid4(),
        organisation_id=uuid4(),
        amount_minor=-5,
        currency=Currency.CHF,
        customer_id="cus_wallet_test",
        payment_method_id="pm_card_visa",
    )

    outcome = await gateway.charge(request)

    assert outcome.result is PaymentResult.DECLINED
    assert outcome.reason is not None


async def test_asking_stripe_how_a_pending_payment_stands_reads_the_payment_intent(
    wallet_settings: WalletSettings,
) -> None:
    gateway = StripeGateway(
        wallet_settings.stripe_api_key.get_secret_value(), wallet_settings.stripe_api_base
    )

    outcome = await gateway.status("pi_123")

    # stripe-mock's canned PaymentIntent is requires_payment_method: not paid.
    assert outcome.result is PaymentResult.DECLINED
    assert outcome.payment_intent_id is not None
