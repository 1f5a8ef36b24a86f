"""The wallet through its HTTP API on real PostgreSQL and Kafka: funds, gifts, usage, history, access."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from conftest import ScriptedGateway, Wallet, give_card, know_organisation

from tessera_devtools.testing import KafkaProbe, TokenIssuer
from tessera_events.identity import Role
from tessera_events.wallet import WALLETS, DebitRefused, WalletCredited, WalletDebited
from tessera_kit.revocations import record_membership_change
from tessera_wallet.domain.charges import PaymentResult

pytestmark = pytest.mark.integration
OWNER = Role.LEGAL_REPRESENTATIVE


def base(organisation_id: UUID, currency: str = "CHF") -> str:
    return f"/v1/organisations/{organisation_id}/wallets/{currency}"


async def funded(wallet: Wallet, tokens: TokenIssuer, organisation: UUID, paid: int, gift: int = 0) -> None:
    """A CHF wallet with ``paid`` topped up and ``gift`` granted by an operator."""
    await give_card(wallet, organisation)
    await know_organisation(wallet, organisation)
    if paid:
        response = await wallet.http.post(
            f"{base(organisation)}/top-ups",
            json={"amount_minor": paid},
            headers=tokens.headers({organisation: OWNER}),
        )
        assert response.status_code == 201, response.text
    if gift:
        operators = wallet.settings.operator_organisation_id
        assert operators is not None
        response = await wallet.http.post(
            f"{base(organisation)}/complimentary-credits",
            json={"amount_minor": gift, "note": "welcome"},
            headers=tokens.headers({operators: Role.ADMINISTRATOR}),
        )
        assert response.status_code == 201, response.text


async def use(
    wallet: Wallet, tokens: TokenIssuer, organisation: UUID, amount: int, usage_id: UUID | None = None
) -> Any:
    return await wallet.http.post(
        f"{base(organisation)}/usage",
        json={"usage_id": str(usage_id or uuid4()), "kind": "sms", "quantity": 1, "amount_minor": amount},
        headers=tokens.headers({organisation: Role.ADMINISTRATOR}),
    )


async def test_a_top_up_is_credited_only_once_the_payment_succeeded(
    wallet: Wallet, tokens: TokenIssuer, gateway: ScriptedGateway, kafka: KafkaProbe
) -> None:
    client = uuid4()
    await give_card(wallet, client)
    headers = tokens.headers({client: OWNER})
    gateway.answers = [PaymentResult.DECLINED, PaymentResult.SUCCEEDED]

    declined = await wallet.http.post(f"{base(client)}/top-ups", json={"amount_minor": 2500}, headers=headers)
    after_decline = await wallet.http.get(base(client), headers=headers)
    top_up_id = str(uuid4())
    paid = await wallet.http.post(
        f"{base(client)}/top-ups", json={"amount_minor": 2500, "top_up_id": top_up_id}, headers=headers
    )
    again = await wallet.http.post(
        f"{base(client)}/top-ups", json={"amount_minor": 2500, "top_up_id": top_up_id}, headers=headers
    )
    after = await wallet.http.get(base(client), headers=headers)

    assert declined.status_code == 402, declined.text
    assert declined.headers["content-type"] == "application/problem+json"
    assert after_decline.json()["balance"]["total_minor"] == 0
    assert paid.status_code == 201, paid.text
    assert paid.json()["status"] == "succeeded"
    assert again.status_code == 201
    assert again.json()["top_up_id"] == top_up_id
    assert len(gateway.requests) == 2, "the repeated top-up id must not charge again"
    assert gateway.requests[1].idempotency_key == f"wallet-top_up-{top_up_id}-1"
    assert after.json()["balance"] == {"paid_minor": 2500, "complimentary_minor": 0, "total_minor": 2500}
    credited = await kafka.first(WALLETS.name, lambda e: e.subject == paid.json()["wallet_id"])
    assert isinstance(credited.data, WalletCredited)
    assert credited.data.kind.value == "top_up"
    assert credited.data.receipt_to_client is False


async def test_usage_spends_complimentary_credits_first_then_paid_ones(
    wallet: Wallet, tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    client = uuid4()
    await funded(wallet, tokens, client, paid=5000, gift=1000)

    response = await use(wallet, tokens, client, 1200)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["complimentary_change_minor"] == -1000
    assert body["paid_change_minor"] == -200
    assert body["balance_after"] == {"paid_minor": 4800, "complimentary_minor": 0, "total_minor": 4800}
    assert (body["usage_kind"], body["usage_quantity"]) == ("sms", 1)
    debited = await kafka.first(
        WALLETS.name,
        lambda e: isinstance(e.data, WalletDebited) and str(e.data.usage_id) == str(body["reference_id"]),
    )
    assert debited.data.from_complimentary.amount_minor == 1000
    assert debited.data.from_paid.amount_minor == 200


async def test_the_same_usage_id_is_debited_once(wallet: Wallet, tokens: TokenIssuer) -> None:
    client = uuid4()
    await funded(wallet, tokens, client, paid=1000)
    usage_id = uuid4()

    first = await use(wallet, tokens, client, 300, usage_id)
    second = await use(wallet, tokens, client, 300, usage_id)
    reused = await use(wallet, tokens, client, 999, usage_id)
    balance = await wallet.http.get(base(client), headers=tokens.headers({client: Role.MEMBER}))

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["movement_id"] == first.json()["movement_id"]
    assert reused.status_code == 409
    assert balance.json()["balance"]["total_minor"] == 700


async def test_a_debit_beyond_the_balance_is_refused_with_its_reason_and_an_event(
    wallet: Wallet, tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    client = uuid4()
    await funded(wallet, tokens, client, paid=500)
    usage_id = uuid4()

    refused = await use(wallet, tokens, client, 501, usage_id)
    in_euros = await wallet.http.post(
        f"{base(client, 'EUR')}/usage",
        json={"usage_id": str(uuid4()), "kind": "email", "quantity": 1, "amount_minor": 1},
        headers=tokens.headers({client: Role.ADMINISTRATOR}),
    )
    balance = await wallet.http.get(base(client), headers=tokens.headers({client: Role.MEMBER}))

    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["reason"] == "insufficient_credits"
    assert refused.json()["available_minor"] == 500
    assert in_euros.status_code == 409
    assert in_euros.json()["reason"] == "currency_mismatch"
    assert balance.json()["balance"]["total_minor"] == 500
    event = await kafka.first(
        WALLETS.name, lambda e: isinstance(e.data, DebitRefused) and e.data.usage_id == usage_id
    )
    assert event.data.reason.value == "insufficient_credits"
    assert event.data.available.amount_minor == 500


async def test_history_filters_by_kind_and_date_and_pages_with_a_cursor(
    wallet: Wallet, tokens: TokenIssuer
) -> None:
    client = uuid4()
    await funded(wallet, tokens, client, paid=5000, gift=300)
    for amount in (100, 200, 300, 400):
        assert (await use(wallet, tokens, client, amount)).status_code == 201
    headers = tokens.headers({client: Role.MEMBER})

    first = await wallet.http.get(
        f"{base(client)}/transactions", params={"kind": "debit", "limit": 3}, headers=headers
    )
    second = await wallet.http.get(
        f"{base(client)}/transactions",
        params={"kind": "debit", "limit": 3, "cursor": first.json()["next_cursor"]},
        headers=headers,
    )
    credits = await wallet.http.get(
        f"{base(client)}/transactions",
        params=[("kind", "top_up"), ("kind", "complimentary")],
        headers=headers,
    )
    future = await wallet.http.get(
        f"{base(client)}/transactions", params={"from": "2999-01-01T00:00:00Z"}, headers=headers
    )
    bad_cursor = await wallet.http.get(
        f"{base(client)}/transactions", params={"cursor": "nope"}, headers=headers
    )

    assert [m["amount_minor"] for m in first.json()["items"]] == [400, 300, 200]
    assert [m["amount_minor"] for m in second.json()["items"]] == [100]
    assert second.json()["next_cursor"] is None
    assert sorted(m["kind"] for m in credits.json()["items"]) == ["complimentary", "top_up"]
    assert future.json()["items"] == []
    assert bad_cursor.status_code == 422


async def test_only_members_and_partners_with_wallet_access_reach_the_wallet(
    wallet: Wallet, tokens: TokenIssuer
) -> None:
    client, partner, restricted_partner, stranger = uuid4(), uuid4(), uuid4(), uuid4()
    relationship, partner_user = uuid4(), uuid4()
    await funded(wallet, tokens, client, paid=1000)
    async with wallet.runtime.unit_of_work() as uow:
        await uow.projections.record_partner_access(
            relationship,
            partner,
            client,
            access="restricted",
            product_codes=["wallet"],
            access_ends_at=None,
            billing_mode="client_pays",
        )
        await uow.projections.record_staff(relationship, [partner_user])
        await uow.projections.record_partner_access(
            uuid4(),
            restricted_partner,
            client,
            access="restricted",
            product_codes=["hosting"],
            access_ends_at=None,
            billing_mode="client_pays",
        )
        await uow.commit()
    path = base(client)

    outsider = await wallet.http.get(path, headers=tokens.headers({stranger: OWNER}))
    member_top_up = await wallet.http.post(
        f"{path}/top-ups", json={"amount_minor": 100}, headers=tokens.headers({client: Role.MEMBER})
    )
    partner_sees = await wallet.http.get(
        path, headers=tokens.headers({partner: Role.MEMBER}, user_id=partner_user)
    )
    partner_not_on_staff = await wallet.http.get(path, headers=tokens.headers({partner: Role.MEMBER}))
    partner_configures = await wallet.http.put(
        f"{path}/auto-recharge",
        json={"enabled": True, "threshold_minor": 500, "amount_minor": 2000, "monthly_cap_minor": 10000},
        headers=tokens.headers({partner: Role.ADMINISTRATOR}),
    )
    other_partner = await wallet.http.get(path, headers=tokens.headers({restricted_partner: OWNER}))
    member_gifts = await wallet.http.post(
        f"{path}/complimentary-credits", json={"amount_minor": 100}, headers=tokens.headers({client: OWNER})
    )
    no_token = await wallet.http.get(path)

    assert outsider.status_code == 404
    assert outsider.headers["content-type"] == "application/problem+json"
    assert member_top_up.status_code == 403
    assert partner_sees.status_code == 200
    assert partner_not_on_staff.status_code == 404
    assert partner_configures.status_code == 200, partner_configures.text
    assert other_partner.status_code == 404
    assert member_gifts.status_code == 403
    assert no_token.status_code == 401


async def test_a_revoked_member_is_shut_out_before_their_token_expires(
    wallet: Wallet, tokens: TokenIssuer
) -> None:
    client, user = uuid4(), uuid4()
    await funded(wallet, tokens, client, paid=100)
    headers = tokens.headers({client: OWNER}, user_id=user)
    before = await wallet.http.get(base(client), headers=headers)
    async with wallet.runtime.unit_of_work() as uow:
        await record_membership_change(uow.session, user, client, None, datetime.now(UTC))
        await uow.commit()

    after = await wallet.http.get(base(client), headers=headers)

    assert before.status_code == 200
    assert after.status_code == 404


async def test_receipts_are_not_emailed_to_the_client_unless_the_wallet_says_so(
    wallet: Wallet, tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    client = uuid4()
    await funded(wallet, tokens, client, paid=100)
    headers = tokens.headers({client: OWNER})

    chosen = await wallet.http.put(f"{base(client)}/receipts", json={"to_client": True}, headers=headers)
    top_up = await wallet.http.post(f"{base(client)}/top-ups", json={"amount_minor": 200}, headers=headers)

    assert chosen.json()["receipts_to_client"] is True
    credits = await kafka.collect(
        WALLETS.name,
        lambda e: isinstance(e.data, WalletCredited) and str(e.data.organisation_id) == str(client),
        count=2,
    )
    assert [c.data.receipt_to_client for c in credits] == [False, True]
    assert top_up.status_code == 201


async def test_the_ledger_check_finds_every_balance_equal_to_its_entries(
    wallet: Wallet, tokens: TokenIssuer
) -> None:
    client = uuid4()
    await funded(wallet, tokens, client, paid=3000, gift=700)
    await use(wallet, tokens, client, 900)
    operators = wallet.settings.operator_organisation_id
    assert operators is not None

    report = await wallet.http.get(
        "/v1/ledger/check", headers=tokens.headers({operators: Role.ADMINISTRATOR})
    )
    refused = await wallet.http.get("/v1/ledger/check", headers=tokens.headers({client: OWNER}))

    as_operator = await wallet.http.get(base(client), headers=tokens.headers({operators: Role.ADMINISTRATOR}))
    operator_tops_up = await wallet.http.post(
        f"{base(client)}/top-ups",
        json={"amount_minor": 100},
        headers=tokens.headers({operators: Role.ADMINISTRATOR}),
    )
    assert as_operator.status_code == 200, "operators see every wallet"
    assert operator_tops_up.status_code == 403, "but only its owners charge its card"
    assert report.status_code == 200, report.text
    assert report.json()["consistent"] is True
    assert report.json()["wallets_checked"] >= 1
    assert refused.status_code == 403
