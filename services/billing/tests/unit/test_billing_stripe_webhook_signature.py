"""Stripe webhooks are believed only with a valid, fresh signature made with billing's secret."""

import hashlib
import hmac
import json
import time

import pytest

from tessera_billing.adapters.stripe_gateway import InvalidWebhook, verify_webhook

SECRET = "whsec_test_secret"
EVENT = json.dumps(
    {"id": "evt_1", "object": "event", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_1"}}}
).encode()


def sign(payload: bytes, secret: str = SECRET, at: int | None = None) -> str:
    """A Stripe-Signature header as Stripe makes it: HMAC-SHA256 of "<timestamp>.<payload>"."""
    timestamp = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def test_a_correctly_signed_event_is_read() -> None:
    event = verify_webhook(EVENT, sign(EVENT), SECRET, tolerance_seconds=300)

    assert event["id"] == "evt_1"
    assert event["data"]["object"]["id"] == "pi_1"


def test_an_event_signed_with_another_secret_is_refused() -> None:
    with pytest.raises(InvalidWebhook, match="signature"):
        verify_webhook(EVENT, sign(EVENT, secret="whsec_attacker"), SECRET, tolerance_seconds=300)


def test_a_body_changed_after_signing_is_refused() -> None:
    forged = EVENT.replace(b"pi_1", b"pi_2")

    with pytest.raises(InvalidWebhook):
        verify_webhook(forged, sign(EVENT), SECRET, tolerance_seconds=300)


def test_a_replayed_old_event_is_refused() -> None:
    with pytest.raises(InvalidWebhook):
        verify_webhook(EVENT, sign(EVENT, at=int(time.time()) - 3600), SECRET, tolerance_seconds=300)


def test_an_unsigned_event_is_refused() -> None:
    with pytest.raises(InvalidWebhook, match="missing"):
        verify_webhook(EVENT, None, SECRET, tolerance_seconds=300)


def test_a_signed_body_that_is_not_json_is_refused() -> None:
    with pytest.raises(InvalidWebhook):
        verify_webhook(b"not json", sign(b"not json"), SECRET, tolerance_seconds=300)
