"""Helpers for billing payments' integration tests: settings with Stripe, and signed Stripe webhooks."""

import hashlib
import hmac
import json
import time
from typing import Any
from uuid import UUID, uuid4

import httpx

from tessera_billing.config import BillingSettings
from tessera_devtools.endpoints import Endpoints
from tessera_devtools.stripe_mock import TEST_KEY

WEBHOOK_SECRET = "whsec_billing_payments_tests"
WEBHOOKS = "/v1/stripe/webhooks"


def with_stripe(settings: BillingSettings, infra: Endpoints, **more: Any) -> BillingSettings:
    """``settings`` talking to stripe-mock, accepting webhooks signed with :data:`WEBHOOK_SECRET`."""
    return settings.model_copy(
        update={
            "stripe_api_base": infra.stripe_api_base,
            "stripe_api_key": TEST_KEY,
            "stripe_webhook_secret": WEBHOOK_SECRET,
            "payments_sweep_seconds": 0.5,
            **more,
        }
    )


def stripe_event(event_type: str, subject: dict[str, Any], event_id: str | None = None) -> bytes:
    """A Stripe event as its webhook delivers it."""
    event = {
        "id": event_id or f"evt_{uuid4().hex}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": subject},
    }
    return json.dumps(event).encode()


def signature(payload: bytes, secret: str = WEBHOOK_SECRET) -> str:
    """The Stripe-Signature header Stripe sends with ``payload``."""
    timestamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


async def post_webhook(
    http: httpx.AsyncClient, payload: bytes, secret: str = WEBHOOK_SECRET
) -> httpx.Response:
    """Deliver a signed webhook to billing."""
    return await http.post(
        WEBHOOKS,
        content=payload,
        headers={"Stripe-Signature": signature(payload, secret), "Content-Type": "application/json"},
    )


async def add_card(
    http: httpx.AsyncClient, organisation: UUID, headers: dict[str, str], card: str
) -> dict[str, Any]:
    """Add a card as a front end and Stripe would: open a setup, then Stripe's setup_intent.succeeded."""
    setup = await http.post(f"/v1/organisations/{organisation}/card-setups", headers=headers)
    assert setup.status_code == 201, setup.text
    opened = setup.json()
    succeeded = stripe_event(
        "setup_intent.succeeded",
        {
            "id": opened["setup_intent_id"],
            "object": "setup_intent",
            "status": "succeeded",
            "payment_method": card,
            "metadata": {"setup_id": opened["setup_id"], "organisation_id": str(organisation)},
        },
    )
    applied = await post_webhook(http, succeeded)
    assert applied.status_code == 200, applied.text
    assert applied.json() == {"received": True, "applied": True}
    listed = await http.get(f"/v1/organisations/{organisation}/payment-methods", headers=headers)
    saved: dict[str, Any] = next(entry for entry in listed.json() if entry["payment_method_id"] == card)
    return saved
