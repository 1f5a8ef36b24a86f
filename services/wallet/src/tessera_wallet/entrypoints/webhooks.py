"""Stripe's webhook: settles top-ups and recharges Stripe had not decided when they were charged.

The signature is checked against ``WALLET_STRIPE_WEBHOOK_SECRET`` before anything is read. Settling
is idempotent by the charge's state (an attempt already settled is left alone), so Stripe's
redeliveries change nothing.
"""

import json
from typing import Any
from uuid import UUID

import stripe
from fastapi import APIRouter, Request

from tessera_kit.permissions import public
from tessera_kit.problems import InvalidInput, ServiceUnavailable, Unauthenticated
from tessera_kit.service import runtime_of
from tessera_wallet.adapters.stripe_gateway import outcome_of
from tessera_wallet.config import WalletSettings
from tessera_wallet.domain.charges import PaymentOutcome, PaymentResult
from tessera_wallet.entrypoints.charging import Charger
from tessera_wallet.service_layer import charges

TOLERANCE_SECONDS = 300


def build_webhook_router(settings: WalletSettings, charger: Charger) -> APIRouter:
    """The route Stripe posts PaymentIntent events to."""
    router = APIRouter(tags=["stripe"])

    @router.post(
        "/v1/stripe/webhooks", summary="Stripe's PaymentIntent events (signed)", dependencies=[public()]
    )
    async def receive(request: Request) -> dict[str, str]:
        """Settle the charge a signed ``payment_intent.*`` event is about."""
        secret = settings.stripe_webhook_secret.get_secret_value()
        if not secret:
            raise ServiceUnavailable("the Stripe webhook secret is not configured")
        payload = (await request.body()).decode("utf-8", errors="replace")
        try:
            stripe.WebhookSignature.verify_header(
                payload, request.headers.get("stripe-signature", ""), secret, TOLERANCE_SECONDS
            )
        except stripe.SignatureVerificationError as error:
            raise Unauthenticated(f"the Stripe signature does not verify: {error.user_message}") from error
        found = _charge_attempt(payload)
        if found is None:
            return {"status": "ignored"}
        charge_id, attempt, outcome = found
        async with runtime_of(request).unit_of_work() as uow:
            await charges.settle(uow, charge_id, attempt, outcome, charger.policy, charger.pending_check)
        return {"status": "settled"}

    return router


def _charge_attempt(payload: str) -> tuple[UUID, int, PaymentOutcome] | None:
    """The charge attempt and outcome a PaymentIntent event names; None for events about anything else."""
    try:
        event: dict[str, Any] = json.loads(payload)
        intent = event["data"]["object"]
        if not str(event["type"]).startswith("payment_intent.") or intent.get("object") != "payment_intent":
            return None
        metadata = intent.get("metadata") or {}
        if "wallet_charge_id" not in metadata:
            return None
        charge_id, attempt = UUID(metadata["wallet_charge_id"]), int(metadata["wallet_charge_attempt"])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise InvalidInput(f"not a PaymentIntent event this service understands: {error}") from error
    if event["type"] == "payment_intent.payment_failed":
        error_detail = intent.get("last_payment_error") or {}
        reason = f"{error_detail.get('code', 'payment_failed')}: {error_detail.get('message', 'declined')}"
        return charge_id, attempt, PaymentOutcome(PaymentResult.DECLINED, intent.get("id"), reason)
    return charge_id, attempt, outcome_of(str(intent.get("status")), str(intent.get("id")))
