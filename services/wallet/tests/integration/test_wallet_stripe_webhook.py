"""Stripe's signed webhook settles a top-up Stripe had not decided when it was charged."""

import hashlib
import hmac
import json
import time
from typing import Any
from uuid import UUID, uuid4

import pytest
from conftest import WEBHOOK_SECRET, ScriptedGateway, Wallet, give_card

from tessera_devtools.testing import TokenIssuer, eventually
from tessera_events.identity import Role
from tessera_wallet.domain.charges import PaymentResult

pytestmark = pytest.mark.integration


def signed(event: dict[str, Any], secret: str = WEBHOOK_SECRET) -> tuple[bytes, dict[str, str]]:
    """The body and headers Stripe sends: ``t=<time>,v1=<HMAC-SHA256 of "<time>.<body>">``."""
    body = json.dumps(event).encode()
    timestamp = str(int(time.time()))
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {"stripe-signature": f"t={timestamp},v1={signature}", "content-type": "application/json"}


def intent_event(kind: str, top_up: dict[str, Any], status: str) -> dict[str, Any]:
    return {
        "id": f"evt_{uuid4().hex[:12]}",
        "object": "event",
        "type": kind,
        "data": {
            "object": {
                "id": top_up["payment_intent_id"],
                "object": "payment_intent",
                "status": status,
                "metadata": {"wallet_charge_id": top_up["top_up_id"], "wallet_charge_attempt": "1"},
                "last_payment_error": {"code": "card_declined", "message": "Your card was declined."},
            }
        },
    }


async def pending_top_up(wallet: Wallet, tokens: TokenIssuer, gateway: ScriptedGateway, client: UUID) -> Any:
    await give_card(wallet, client)
    gateway.answers = [PaymentResult.PENDING]
    response = await wallet.http.post(
        f"/v1/organisations/{client}/wallets/CHF/top-ups",
        json={"amount_minor": 4000},
        headers=tokens.headers({client: Role.ADMINISTRATOR}),
    )
    assert response.status_code == 202, response.text
    return response.json()


async def test_a_pending_top_up_is_credited_once_when_stripe_says_it_succeeded(
    wallet: Wallet, tokens: TokenIssuer, gateway: ScriptedGateway
) -> None:
    client = uuid4()
    top_up = await pending_top_up(wallet, tokens, gateway, client)
    headers = tokens.headers({client: Role.MEMBER})
    path = f"/v1/organisations/{client}/wallets/CHF"
    before = await wallet.http.get(path, headers=headers)
    body, signature = signed(intent_event("payment_intent.succeeded", top_up, "succeeded"))

    first = await wallet.http.post("/v1/stripe/webhooks", content=body, headers=signature)
    again = await wallet.http.post("/v1/stripe/webhooks", content=body, headers=signature)
    after = await wallet.http.get(path, headers=headers)
    seen = await wallet.http.get(f"{path}/top-ups/{top_up['top_up_id']}", headers=headers)

    assert before.json()["balance"]["total_minor"] == 0
    assert first.status_code == 200
    assert again.status_code == 200
    assert after.json()["balance"]["paid_minor"] == 4000
    assert seen.json()["status"] == "succeeded"


async def test_a_failed_payment_leaves_the_wallet_as_it_was(
    wallet: Wallet, tokens: TokenIssuer, gateway: ScriptedGateway
) -> None:
    client = uuid4()
    top_up = await pending_top_up(wallet, tokens, gateway, client)
    body, signature = signed(intent_event("payment_intent.payment_failed", top_up, "requires_payment_method"))

    response = await wallet.http.post("/v1/stripe/webhooks", content=body, headers=signature)
    seen = await wallet.http.get(
        f"/v1/organisations/{client}/wallets/CHF/top-ups/{top_up['top_up_id']}",
        headers=tokens.headers({client: Role.MEMBER}),
    )

    assert response.status_code == 200
    assert seen.json()["status"] == "failed"
    assert seen.json()["failure_reason"] == "card_declined: Your card was declined."


async def test_a_webhook_with_a_wrong_signature_changes_nothing(
    wallet: Wallet, tokens: TokenIssuer, gateway: ScriptedGateway
) -> None:
    client = uuid4()
    top_up = await pending_top_up(wallet, tokens, gateway, client)
    body, forged = signed(
        intent_event("payment_intent.succeeded", top_up, "succeeded"), secret="whsec_forged"
    )
    garbage, garbage_signature = signed({"type": "payment_intent.succeeded", "data": {}})

    refused = await wallet.http.post("/v1/stripe/webhooks", content=body, headers=forged)
    unsigned = await wallet.http.post("/v1/stripe/webhooks", content=body)
    malformed = await wallet.http.post("/v1/stripe/webhooks", content=garbage, headers=garbage_signature)
    balance = await wallet.http.get(
        f"/v1/organisations/{client}/wallets/CHF", headers=tokens.headers({client: Role.MEMBER})
    )

    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert unsigned.status_code == 401
    assert malformed.status_code == 422
    assert balance.json()["balance"]["total_minor"] == 0


async def test_a_pending_top_up_whose_webhook_never_comes_is_settled_by_asking_stripe(
    wallet: Wallet, tokens: TokenIssuer, gateway: ScriptedGateway
) -> None:
    client = uuid4()
    top_up = await pending_top_up(wallet, tokens, gateway, client)
    gateway.status_answers[top_up["payment_intent_id"]] = [PaymentResult.PENDING, PaymentResult.SUCCEEDED]
    path = f"/v1/organisations/{client}/wallets/CHF"

    async def status() -> str:
        response = await wallet.http.get(
            f"{path}/top-ups/{top_up['top_up_id']}", headers=tokens.headers({client: Role.MEMBER})
        )
        found: str = response.json()["status"]
        return found

    assert await eventually(status, until=lambda found: found == "succeeded", what="the job to ask Stripe")
    balance = await wallet.http.get(path, headers=tokens.headers({client: Role.MEMBER}))
    assert balance.json()["balance"]["paid_minor"] == 4000
    assert gateway.status_requests.count(top_up["payment_intent_id"]) >= 2
