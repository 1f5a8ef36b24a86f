"""Auto-recharge on real PostgreSQL and Kafka: one recharge however many debits race under the
threshold, retries on declines, a pause after too many, and the owner resuming it."""

import asyncio
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from conftest import ScriptedGateway, Wallet, give_card

from tessera_devtools.testing import KafkaProbe, TokenIssuer, eventually
from tessera_events.identity import Role
from tessera_events.wallet import WALLETS, LowBalance, RechargeFailed, RechargeSucceeded
from tessera_kit.auth import Caller
from tessera_wallet.domain.charges import ChargeKind, PaymentResult
from tessera_wallet.domain.ledger import Currency
from tessera_wallet.service_layer import charges

pytestmark = pytest.mark.integration
OWNER = Role.LEGAL_REPRESENTATIVE


def base(organisation_id: UUID) -> str:
    return f"/v1/organisations/{organisation_id}/wallets/CHF"


async def wallet_with_auto_recharge(
    wallet: Wallet, tokens: TokenIssuer, client: UUID, *, paid: int, threshold: int, amount: int, cap: int
) -> None:
    await give_card(wallet, client)
    headers = tokens.headers({client: OWNER})
    top_up = await wallet.http.post(f"{base(client)}/top-ups", json={"amount_minor": paid}, headers=headers)
    assert top_up.status_code == 201, top_up.text
    settings = await wallet.http.put(
        f"{base(client)}/auto-recharge",
        json={
            "enabled": True,
            "threshold_minor": threshold,
            "amount_minor": amount,
            "monthly_cap_minor": cap,
        },
        headers=headers,
    )
    assert settings.status_code == 200, settings.text


async def recharges_of(wallet: Wallet, client: UUID) -> list[tuple[str, int]]:
    """(status, attempts) of the client's recharges, newest first."""
    async with wallet.runtime.unit_of_work() as uow:
        found = await uow.wallets.get(client, Currency.CHF)
        assert found is not None
        charges = await uow.charges.of_wallet(found.id, ChargeKind.AUTO_RECHARGE, limit=50)
    return [(charge.status.value, charge.attempts) for charge in charges]


async def debit(wallet: Wallet, tokens: TokenIssuer, client: UUID, amount: int) -> int:
    response = await wallet.http.post(
        f"{base(client)}/usage",
        json={"usage_id": str(uuid4()), "kind": "sms", "quantity": 1, "amount_minor": amount},
        headers=tokens.headers({client: Role.ADMINISTRATOR}),
    )
    status: int = response.status_code
    return status


async def test_many_parallel_debits_under_the_threshold_charge_exactly_one_recharge(
    wallet: Wallet, tokens: TokenIssuer, gateway: ScriptedGateway, kafka: KafkaProbe
) -> None:
    client = uuid4()
    await wallet_with_auto_recharge(wallet, tokens, client, paid=3000, threshold=2000, amount=5000, cap=50000)
    gateway.delay_seconds = 0.3  # the recharge is still being charged while the debits keep coming

    statuses = await asyncio.gather(*(debit(wallet, tokens, client, 100) for _ in range(25)))

    assert statuses == [201] * 25
    settled = await eventually(
        lambda: recharges_of(wallet, client),
        until=lambda found: found == [("succeeded", 1)],
        what="one recharge",
    )
    assert settled == [("succeeded", 1)]
    recharges = [r for r in gateway.requests if r.kind is ChargeKind.AUTO_RECHARGE]
    assert len(recharges) == 1
    assert recharges[0].payment_method_id == "pm_card_visa"
    view = await wallet.http.get(base(client), headers=tokens.headers({client: Role.MEMBER}))
    assert view.json()["balance"]["paid_minor"] == 3000 - 2500 + 5000
    events = await kafka.collect(
        WALLETS.name,
        lambda e: isinstance(e.data, (LowBalance, RechargeSucceeded)) and e.data.organisation_id == client,
        count=2,
    )
    assert sorted(type(e.data).__name__ for e in events) == ["LowBalance", "RechargeSucceeded"]


async def test_declined_recharges_are_retried_then_pause_until_the_owner_resumes(
    wallet: Wallet, tokens: TokenIssuer, gateway: ScriptedGateway, kafka: KafkaProbe
) -> None:
    client = uuid4()
    await wallet_with_auto_recharge(wallet, tokens, client, paid=1000, threshold=500, amount=2000, cap=10000)
    gateway.default = PaymentResult.DECLINED

    assert await debit(wallet, tokens, client, 600) == 201
    await eventually(
        lambda: recharges_of(wallet, client),
        until=lambda found: found == [("failed", 3)],
        what="a paused recharge",
    )
    failures = await kafka.collect(
        WALLETS.name,
        lambda e: isinstance(e.data, RechargeFailed) and e.data.organisation_id == client,
        count=3,
    )
    headers = tokens.headers({client: OWNER})
    paused = (await wallet.http.get(base(client), headers=headers)).json()["auto_recharge"]
    listed = await wallet.http.get(
        f"{base(client)}/charges", params={"kind": "auto_recharge"}, headers=headers
    )
    assert await debit(wallet, tokens, client, 10) == 201
    still_one = await recharges_of(wallet, client)

    gateway.default = PaymentResult.SUCCEEDED
    resumed = await wallet.http.post(f"{base(client)}/auto-recharge/resume", headers=headers)
    after = await eventually(
        lambda: recharges_of(wallet, client),
        until=lambda found: found[0] == ("succeeded", 1),
        what="a recharge",
    )

    assert [f.data.failures_in_a_row for f in failures] == [1, 2, 3]
    assert [f.data.paused for f in failures] == [False, False, True]
    assert failures[0].data.next_attempt_at is not None
    assert failures[2].data.next_attempt_at is None
    assert paused["paused"] is True
    assert paused["failures_in_a_row"] == 3
    [recharge] = listed.json()
    assert (recharge["status"], recharge["attempts"]) == ("failed", 3)
    assert recharge["last_error"].startswith("card_declined")
    assert still_one == [("failed", 3)], "a paused auto-recharge charges nothing"
    assert resumed.status_code == 200
    assert resumed.json()["auto_recharge"]["paused"] is False
    assert after == [("succeeded", 1), ("failed", 3)]
    attempts = [r.idempotency_key for r in gateway.requests if r.kind is ChargeKind.AUTO_RECHARGE]
    assert len(set(attempts)) == 4, "each attempt has its own idempotency key"


async def test_the_monthly_cap_stops_recharges_and_a_member_cannot_change_the_rules(
    wallet: Wallet, tokens: TokenIssuer, gateway: ScriptedGateway
) -> None:
    client = uuid4()
    await wallet_with_auto_recharge(wallet, tokens, client, paid=1000, threshold=900, amount=500, cap=500)

    assert await debit(wallet, tokens, client, 200) == 201
    await eventually(lambda: recharges_of(wallet, client), until=lambda found: found == [("succeeded", 1)])
    assert await debit(wallet, tokens, client, 900) == 201
    await asyncio.sleep(0.5)
    by_member = await wallet.http.put(
        f"{base(client)}/auto-recharge",
        json={"enabled": False},
        headers=tokens.headers({client: Role.MEMBER}),
    )
    impossible = await wallet.http.put(
        f"{base(client)}/auto-recharge",
        json={"enabled": True, "threshold_minor": 100, "amount_minor": 500, "monthly_cap_minor": 100},
        headers=tokens.headers({client: OWNER}),
    )

    assert await recharges_of(wallet, client) == [("succeeded", 1)], "the cap allows one recharge a month"
    assert by_member.status_code == 403
    assert impossible.status_code == 422


async def test_a_top_up_whose_process_died_mid_charge_is_charged_again_with_the_same_key(
    wallet: Wallet, tokens: TokenIssuer, gateway: ScriptedGateway
) -> None:
    client = uuid4()
    await give_card(wallet, client)
    owner = Caller(user_id=uuid4(), roles={client: OWNER})
    async with wallet.runtime.unit_of_work() as uow:
        # What the route does before calling Stripe; the "process" then dies, leaving the attempt leased.
        charge, request = await charges.claim_top_up(
            uow, owner, client, Currency.CHF, 1500, uuid4(), timedelta(milliseconds=200)
        )
    assert request is not None

    async def status() -> str:
        response = await wallet.http.get(
            f"{base(client)}/top-ups/{charge.id}", headers=tokens.headers({client: Role.MEMBER})
        )
        found: str = response.json()["status"]
        return found

    await eventually(status, until=lambda found: found == "succeeded", what="the job to finish the charge")
    [retried] = [r for r in gateway.requests if r.charge_id == charge.id]
    assert retried.idempotency_key == request.idempotency_key
    assert retried.attempt == 1
