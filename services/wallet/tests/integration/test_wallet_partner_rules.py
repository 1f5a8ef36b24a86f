"""Who of a partner may act on a client's wallet, and how much a partner may charge to the client's card."""

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from conftest import Wallet, give_card, know_organisation

from tessera_devtools.testing import TokenIssuer
from tessera_events.identity import Role
from tessera_wallet.domain.charges import PartnerCardLimits

pytestmark = pytest.mark.integration


def top_ups(client: UUID) -> str:
    return f"/v1/organisations/{client}/wallets/CHF/top-ups"


async def managed_client(
    wallet: Wallet,
    *,
    access: str = "full",
    billing_mode: str = "client_pays",
    staff: list[UUID] | None = None,
) -> tuple[UUID, UUID, UUID]:
    """A client with a card, managed by a partner; returns (client, partner, relationship)."""
    client, partner, relationship = uuid4(), uuid4(), uuid4()
    await give_card(wallet, client)
    await know_organisation(wallet, client)
    async with wallet.runtime.unit_of_work() as uow:
        await uow.projections.record_partner_access(
            relationship,
            partner,
            client,
            access=access,
            product_codes=["wallet"] if access == "restricted" else [],
            access_ends_at=None,
            billing_mode=billing_mode,
        )
        await uow.projections.record_staff(relationship, staff or [])
        await uow.commit()
    return client, partner, relationship


async def test_a_partner_member_acts_for_a_client_only_when_on_its_staff_list(
    wallet: Wallet, tokens: TokenIssuer
) -> None:
    on_staff, not_on_staff = uuid4(), uuid4()
    client, partner, _ = await managed_client(wallet, staff=[on_staff])
    wallet_path = f"/v1/organisations/{client}/wallets/CHF"
    await wallet.http.post(
        f"/v1/organisations/{client}/wallets",
        json={"currency": "CHF"},
        headers=tokens.headers({client: Role.LEGAL_REPRESENTATIVE}),
    )

    staff_member = await wallet.http.get(
        wallet_path, headers=tokens.headers({partner: Role.MEMBER}, on_staff)
    )
    other_member = await wallet.http.get(
        wallet_path, headers=tokens.headers({partner: Role.MEMBER}, not_on_staff)
    )
    partner_manager = await wallet.http.get(
        wallet_path, headers=tokens.headers({partner: Role.ADMINISTRATOR})
    )

    assert staff_member.status_code == 200
    assert other_member.status_code == 404
    assert partner_manager.status_code == 200


async def test_a_suspended_partner_acts_for_no_client(wallet: Wallet, tokens: TokenIssuer) -> None:
    client, partner, _ = await managed_client(wallet)
    async with wallet.runtime.unit_of_work() as uow:
        await uow.projections.record_partner_status(partner, "suspended", datetime.now(UTC))
        await uow.commit()

    refused = await wallet.http.post(
        top_ups(client), json={"amount_minor": 1000}, headers=tokens.headers({partner: Role.ADMINISTRATOR})
    )

    assert refused.status_code == 404


async def test_a_partner_charges_its_client_s_card_only_with_full_access_while_the_client_pays(
    wallet: Wallet, tokens: TokenIssuer
) -> None:
    paying_partner_client, paying_partner, _ = await managed_client(wallet, billing_mode="partner_pays")
    restricted_client, restricted_partner, _ = await managed_client(wallet, access="restricted")
    client, partner, _ = await managed_client(wallet)

    partner_pays = await wallet.http.post(
        top_ups(paying_partner_client),
        json={"amount_minor": 1000},
        headers=tokens.headers({paying_partner: Role.ADMINISTRATOR}),
    )
    restricted = await wallet.http.post(
        top_ups(restricted_client),
        json={"amount_minor": 1000},
        headers=tokens.headers({restricted_partner: Role.ADMINISTRATOR}),
    )
    allowed = await wallet.http.post(
        top_ups(client), json={"amount_minor": 1000}, headers=tokens.headers({partner: Role.ADMINISTRATOR})
    )

    assert partner_pays.status_code == 403
    assert "full access while the client pays" in partner_pays.json()["detail"]
    assert restricted.status_code == 403
    assert allowed.status_code == 201, allowed.text


async def test_a_partner_s_top_ups_of_a_client_stay_within_the_per_call_and_per_day_limits(
    wallet: Wallet, tokens: TokenIssuer
) -> None:
    limits = PartnerCardLimits()
    client, partner, _ = await managed_client(wallet)
    headers = tokens.headers({partner: Role.ADMINISTRATOR})
    per_call = limits.per_call_minor

    too_much_at_once = await wallet.http.post(
        top_ups(client), json={"amount_minor": per_call + 1}, headers=headers
    )
    within = [
        await wallet.http.post(top_ups(client), json={"amount_minor": per_call}, headers=headers)
        for _ in range(limits.per_day_minor // per_call)
    ]
    beyond_the_day = await wallet.http.post(top_ups(client), json={"amount_minor": 1}, headers=headers)
    the_client_itself = await wallet.http.post(
        top_ups(client),
        json={"amount_minor": per_call + 1},
        headers=tokens.headers({client: Role.ADMINISTRATOR}),
    )

    assert too_much_at_once.status_code == 403
    assert [response.status_code for response in within] == [201] * len(within)
    assert beyond_the_day.status_code == 403
    assert "a day" in beyond_the_day.json()["detail"]
    assert the_client_itself.status_code == 201
