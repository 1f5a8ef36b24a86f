"""A card on file never changes owner, whatever a signed Stripe webhook names (on stripe-mock)."""

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from payments_support import add_card, post_webhook, stripe_event, with_stripe

from tessera_billing.config import BillingSettings
from tessera_billing.main import define
from tessera_devtools.endpoints import Endpoints
from tessera_devtools.testing import RunningService, TokenIssuer, running_service
from tessera_events.identity import Role

pytestmark = pytest.mark.integration


@pytest.fixture
async def billing(
    billing_settings: BillingSettings, infra: Endpoints
) -> AsyncIterator[RunningService[BillingSettings]]:
    """Billing on stripe-mock, accepting webhooks signed with the tests' secret."""
    async with running_service(define, with_stripe(billing_settings, infra)) as running:
        yield running


async def test_a_setup_naming_another_organisations_card_is_acknowledged_and_moves_nothing(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    victim, attacker = uuid4(), uuid4()
    victim_admin = tokens.headers({victim: Role.ADMINISTRATOR})
    attacker_admin = tokens.headers({attacker: Role.ADMINISTRATOR})
    card = f"pm_victim_{uuid4().hex[:8]}"
    await add_card(billing.http, victim, victim_admin, card)
    opened = (
        await billing.http.post(f"/v1/organisations/{attacker}/card-setups", headers=attacker_admin)
    ).json()
    hijack = stripe_event(
        "setup_intent.succeeded",
        {
            "id": opened["setup_intent_id"],
            "payment_method": card,
            "metadata": {"setup_id": opened["setup_id"]},
        },
    )

    answered = await post_webhook(billing.http, hijack)
    redelivered = await post_webhook(billing.http, hijack)

    assert answered.status_code == 200, answered.text
    assert answered.json() == {"received": True, "applied": False}
    assert redelivered.json() == {"received": True, "applied": False}
    victims = await billing.http.get(f"/v1/organisations/{victim}/payment-methods", headers=victim_admin)
    attackers = await billing.http.get(
        f"/v1/organisations/{attacker}/payment-methods", headers=attacker_admin
    )
    assert [(saved["payment_method_id"], saved["primary"]) for saved in victims.json()] == [(card, True)]
    assert attackers.json() == []
    made_primary = await billing.http.put(
        f"/v1/organisations/{attacker}/payment-methods/{card}/primary", headers=attacker_admin
    )
    assert made_primary.status_code == 404


async def test_the_owner_saving_its_own_card_again_keeps_it(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation = uuid4()
    admin = tokens.headers({organisation: Role.ADMINISTRATOR})
    card = f"pm_own_{uuid4().hex[:8]}"
    first = await add_card(billing.http, organisation, admin, card)

    again = await add_card(billing.http, organisation, admin, card)

    assert again["payment_method_id"] == first["payment_method_id"]
    assert again["primary"] is True
    listed = await billing.http.get(f"/v1/organisations/{organisation}/payment-methods", headers=admin)
    assert [saved["payment_method_id"] for saved in listed.json()] == [card]
