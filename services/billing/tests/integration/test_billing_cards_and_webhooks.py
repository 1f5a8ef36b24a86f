"""Cards on file through Stripe (stripe-mock) and its signed webhooks, on the running billing service."""

import asyncio
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from payments_support import WEBHOOKS, add_card, post_webhook, signature, stripe_event, with_stripe

from tessera_billing.config import BillingSettings
from tessera_billing.main import define
from tessera_devtools.endpoints import Endpoints
from tessera_devtools.testing import KafkaProbe, RunningService, TokenIssuer, running_service
from tessera_events.billing import PAYMENT_METHODS
from tessera_events.identity import Role

pytestmark = pytest.mark.integration


@pytest.fixture
async def billing(
    billing_settings: BillingSettings, infra: Endpoints
) -> AsyncIterator[RunningService[BillingSettings]]:
    """Billing on stripe-mock, accepting webhooks signed with the tests' secret."""
    async with running_service(define, with_stripe(billing_settings, infra)) as running:
        yield running


async def test_an_administrator_adds_a_card_and_stripes_webhook_makes_it_the_primary_card(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    organisation = uuid4()
    admin = tokens.headers({organisation: Role.ADMINISTRATOR})

    setup = await billing.http.post(f"/v1/organisations/{organisation}/card-setups", headers=admin)
    assert setup.status_code == 201, setup.text
    opened = setup.json()
    assert opened["setup_intent_id"].startswith("seti_")
    assert opened["client_secret"]
    assert opened["stripe_customer_id"].startswith("cus_")

    succeeded = stripe_event(
        "setup_intent.succeeded",
        {
            "id": opened["setup_intent_id"],
            "payment_method": "pm_first_visa",
            "metadata": {"setup_id": opened["setup_id"]},
        },
    )
    applied = await post_webhook(billing.http, succeeded)
    assert applied.json() == {"received": True, "applied": True}

    listed = await billing.http.get(f"/v1/organisations/{organisation}/payment-methods", headers=admin)
    assert listed.status_code == 200
    [card] = listed.json()
    assert card["payment_method_id"] == "pm_first_visa"
    assert card["primary"] is True
    assert card["brand"] == "visa"
    assert len(card["last4"]) == 4

    announced = await kafka.first(
        PAYMENT_METHODS.name, lambda event: event.data.organisation_id == organisation
    )
    assert announced.type == "tessera.billing.PrimaryPaymentMethodChanged.v1"
    assert announced.data.payment_method_id == "pm_first_visa"
    assert announced.data.stripe_customer_id == opened["stripe_customer_id"]


async def test_a_webhook_stripe_delivers_twice_is_applied_once(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation = uuid4()
    admin = tokens.headers({organisation: Role.ADMINISTRATOR})
    opened = (await billing.http.post(f"/v1/organisations/{organisation}/card-setups", headers=admin)).json()
    payload = stripe_event(
        "setup_intent.succeeded",
        {
            "id": opened["setup_intent_id"],
            "payment_method": "pm_once",
            "metadata": {"setup_id": opened["setup_id"]},
        },
    )

    first = await post_webhook(billing.http, payload)
    second = await post_webhook(billing.http, payload)

    assert first.json()["applied"] is True
    assert second.status_code == 200
    assert second.json()["applied"] is False
    listed = await billing.http.get(f"/v1/organisations/{organisation}/payment-methods", headers=admin)
    assert [card["payment_method_id"] for card in listed.json()] == ["pm_once"]


async def test_a_webhook_without_a_valid_signature_is_refused_with_a_problem(
    billing: RunningService[BillingSettings],
) -> None:
    payload = stripe_event("payment_intent.succeeded", {"id": "pi_forged", "metadata": {}})

    forged = await post_webhook(billing.http, payload, secret="whsec_someone_else")
    unsigned = await billing.http.post(WEBHOOKS, content=payload)
    tampered = await billing.http.post(
        WEBHOOKS,
        content=payload.replace(b"pi_forged", b"pi_other"),
        headers={"Stripe-Signature": signature(payload)},
    )

    for refused in (forged, unsigned, tampered):
        assert refused.status_code == 400
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["type"].endswith("/invalid-stripe-webhook")


async def test_an_event_billing_does_not_handle_is_acknowledged_and_ignored(
    billing: RunningService[BillingSettings],
) -> None:
    response = await post_webhook(billing.http, stripe_event("customer.created", {"id": "cus_x"}))

    assert response.status_code == 200
    assert response.json() == {"received": True, "applied": False}


async def test_a_card_setup_of_another_organisation_saves_nothing(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    mine, theirs = uuid4(), uuid4()
    admin = tokens.headers({mine: Role.ADMINISTRATOR, theirs: Role.ADMINISTRATOR})
    opened = (await billing.http.post(f"/v1/organisations/{theirs}/card-setups", headers=admin)).json()

    confirmed = await billing.http.post(
        f"/v1/organisations/{mine}/payment-methods",
        json={"setup_intent_id": opened["setup_intent_id"]},
        headers=admin,
    )

    assert confirmed.status_code == 404
    assert confirmed.json()["type"].endswith("/not-found")


async def test_saving_a_card_stripe_has_not_confirmed_yet_is_a_conflict(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation = uuid4()
    admin = tokens.headers({organisation: Role.ADMINISTRATOR})
    opened = (await billing.http.post(f"/v1/organisations/{organisation}/card-setups", headers=admin)).json()

    # stripe-mock's SetupIntents always wait for a payment method: as a front end that never confirmed.
    confirmed = await billing.http.post(
        f"/v1/organisations/{organisation}/payment-methods",
        json={"setup_intent_id": opened["setup_intent_id"]},
        headers=admin,
    )

    assert confirmed.status_code == 409
    assert confirmed.json()["status"] == 409
    assert "not confirmed" in confirmed.json()["detail"]


async def test_only_members_see_cards_and_only_administrators_change_them(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation = uuid4()
    outsider = tokens.headers({uuid4(): Role.ADMINISTRATOR})
    member = tokens.headers({organisation: Role.MEMBER})
    base = f"/v1/organisations/{organisation}"

    assert (await billing.http.get(f"{base}/payment-methods", headers=outsider)).status_code == 404
    assert (await billing.http.post(f"{base}/card-setups", headers=outsider)).status_code == 404
    assert (await billing.http.get(f"{base}/payment-methods", headers=member)).status_code == 200
    refused = await billing.http.post(f"{base}/card-setups", headers=member)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await billing.http.delete(f"{base}/payment-methods/pm_x", headers=member)).status_code == 403
    assert (await billing.http.get(f"{base}/payment-methods")).status_code == 401


async def test_removing_the_primary_card_hands_over_to_the_newest_card_and_wallet_hears_of_each_change(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    organisation = uuid4()
    legal = tokens.headers({organisation: Role.LEGAL_REPRESENTATIVE})
    base = f"/v1/organisations/{organisation}/payment-methods"
    await add_card(billing.http, organisation, legal, "pm_old")
    await add_card(billing.http, organisation, legal, "pm_new")

    chosen = await billing.http.put(f"{base}/pm_new/primary", headers=legal)
    assert chosen.status_code == 200
    assert chosen.json()["primary"] is True
    assert (await billing.http.delete(f"{base}/pm_new", headers=legal)).status_code == 204
    listed = (await billing.http.get(base, headers=legal)).json()
    assert [(card["payment_method_id"], card["primary"]) for card in listed] == [("pm_old", True)]
    assert (await billing.http.delete(f"{base}/pm_old", headers=legal)).status_code == 204
    assert (await billing.http.get(base, headers=legal)).json() == []
    assert (await billing.http.delete(f"{base}/pm_old", headers=legal)).status_code == 404

    changes = await kafka.collect(
        PAYMENT_METHODS.name, lambda event: event.data.organisation_id == organisation, count=4
    )
    assert [event.data.payment_method_id for event in changes] == ["pm_old", "pm_new", "pm_old", None]


async def test_without_stripe_or_a_webhook_secret_billing_answers_503_problems_not_errors(
    billing_settings: BillingSettings, infra: Endpoints, tokens: TokenIssuer
) -> None:
    unreachable = with_stripe(
        billing_settings, infra, stripe_api_base="http://127.0.0.1:9", stripe_webhook_secret=""
    )
    organisation = uuid4()
    admin = tokens.headers({organisation: Role.ADMINISTRATOR})
    async with running_service(define, unreachable) as billing:
        setup = await billing.http.post(f"/v1/organisations/{organisation}/card-setups", headers=admin)
        webhook = await post_webhook(billing.http, stripe_event("payment_intent.succeeded", {"id": "pi_1"}))

    for answer in (setup, webhook):
        assert answer.status_code == 503
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.headers["retry-after"]


async def test_two_first_cards_saved_at_once_leave_exactly_one_primary(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    organisation = uuid4()
    admin = tokens.headers({organisation: Role.ADMINISTRATOR})
    setups = [
        (await billing.http.post(f"/v1/organisations/{organisation}/card-setups", headers=admin)).json()
        for _ in range(2)
    ]
    deliveries = [
        stripe_event(
            "setup_intent.succeeded",
            {
                "id": setup["setup_intent_id"],
                "payment_method": f"pm_race_{n}",
                "metadata": {"setup_id": setup["setup_id"]},
            },
        )
        for n, setup in enumerate(setups)
    ]

    answers = await asyncio.gather(*(post_webhook(billing.http, payload) for payload in deliveries))

    assert [answer.json()["applied"] for answer in answers] == [True, True]
    cards = (
        await billing.http.get(f"/v1/organisations/{organisation}/payment-methods", headers=admin)
    ).json()
    assert sorted(card["payment_method_id"] for card in cards) == ["pm_race_0", "pm_race_1"]
    assert [card["primary"] for card in cards].count(True) == 1
    [announced] = await kafka.collect(
        PAYMENT_METHODS.name, lambda event: event.data.organisation_id == organisation, count=1
    )
    assert announced.data.payment_method_id == next(
        card["payment_method_id"] for card in cards if card["primary"]
    )
    with pytest.raises(AssertionError, match="1 of 2"):
        await kafka.collect(
            PAYMENT_METHODS.name, lambda event: event.data.organisation_id == organisation, count=2, timeout=3
        )
