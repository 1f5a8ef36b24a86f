"""What an attacker sends to wallet answers 4xx problem+json, never 500, and reveals nothing of other
organisations: amounts beyond 64 bits, NUL characters, another organisation's top-up id."""

from uuid import UUID, uuid4

import httpx
import pytest
from conftest import ScriptedGateway, Wallet, give_card, know_organisation

from tessera_devtools.testing import TokenIssuer
from tessera_events.identity import Role

pytestmark = pytest.mark.integration
OWNER = Role.LEGAL_REPRESENTATIVE


def base(organisation_id: UUID, currency: str = "CHF") -> str:
    return f"/v1/organisations/{organisation_id}/wallets/{currency}"


def assert_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("amount", [2**63, 2**64 + 1, 10**40, -(2**63) - 1])
async def test_an_amount_beyond_64_bits_is_invalid_input_and_charges_nothing(
    wallet: Wallet, tokens: TokenIssuer, gateway: ScriptedGateway, amount: int
) -> None:
    client = uuid4()
    await give_card(wallet, client)
    headers = tokens.headers({client: OWNER})

    top_up = await wallet.http.post(f"{base(client)}/top-ups", json={"amount_minor": amount}, headers=headers)
    usage = await wallet.http.post(
        f"{base(client)}/usage",
        json={"usage_id": str(uuid4()), "kind": "sms", "quantity": amount, "amount_minor": amount},
        headers=headers,
    )
    recharge = await wallet.http.put(
        f"{base(client)}/auto-recharge",
        json={"enabled": True, "threshold_minor": amount, "amount_minor": 1000},
        headers=headers,
    )

    assert_problem(top_up, 422)
    assert top_up.json()["errors"][0]["loc"] == ["body", "amount_minor"]
    assert_problem(usage, 422)
    assert_problem(recharge, 422)
    assert gateway.requests == []


async def test_a_nul_character_in_a_note_or_a_cursor_is_refused(wallet: Wallet, tokens: TokenIssuer) -> None:
    client = uuid4()
    await know_organisation(wallet, client)
    operators = wallet.settings.operator_organisation_id
    assert operators is not None

    gift = await wallet.http.post(
        f"{base(client)}/complimentary-credits",
        json={"amount_minor": 500, "note": "welcome\u0000"},
        headers=tokens.headers({operators: Role.ADMINISTRATOR}),
    )
    history = await wallet.http.get(
        f"{base(client)}/transactions", params={"cursor": "\u0000"}, headers=tokens.headers({client: OWNER})
    )

    assert_problem(gift, 422)
    assert_problem(history, 422)


async def test_another_organisations_top_up_id_is_not_found_not_a_conflict(
    wallet: Wallet, tokens: TokenIssuer, gateway: ScriptedGateway
) -> None:
    victim, attacker = uuid4(), uuid4()
    for organisation in (victim, attacker):
        await give_card(wallet, organisation)
    victims_top_up = await wallet.http.post(
        f"{base(victim)}/top-ups", json={"amount_minor": 2500}, headers=tokens.headers({victim: OWNER})
    )
    assert victims_top_up.status_code == 201, victims_top_up.text
    top_up_id = victims_top_up.json()["top_up_id"]
    attacker_headers = tokens.headers({attacker: OWNER})

    guessed = await wallet.http.post(
        f"{base(attacker)}/top-ups",
        json={"amount_minor": 2500, "top_up_id": top_up_id},
        headers=attacker_headers,
    )
    looked_up = await wallet.http.get(f"{base(attacker)}/top-ups/{top_up_id}", headers=attacker_headers)
    never_made = await wallet.http.get(f"{base(attacker)}/top-ups/{uuid4()}", headers=attacker_headers)

    assert_problem(guessed, 404)
    assert_problem(looked_up, 404)
    assert guessed.json()["type"] == looked_up.json()["type"] == never_made.json()["type"]
    assert len(gateway.requests) == 1, "only the victim's own top-up was charged"
