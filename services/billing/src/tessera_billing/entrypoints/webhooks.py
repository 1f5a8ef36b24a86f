"""Stripe's webhooks: signature-checked, applied once each (an inbox keyed by Stripe's event id).

* ``setup_intent.succeeded``: the card a front end just confirmed is saved (first card: primary).
  A card already on file for another organisation is never moved: the event answers 200 with
  ``applied: false`` and a warning is logged (a refusal would only make Stripe resend it for days).
* ``payment_intent.succeeded``: the attempt's invoice is paid; PaymentSucceeded.
* ``payment_intent.payment_failed``: PaymentFailed and the next retry, or uncollectible at the end.

Any other event is acknowledged and ignored. A bad or missing signature, or one older than the
tolerance (a replay), is refused with 400 problem+json before anything is read from the body.
"""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request

from tessera_billing.adapters.payments_repository import PaymentsRepository
from tessera_billing.adapters.stripe_gateway import InvalidWebhook, StripeGateway, verify_webhook
from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.config import BillingSettings
from tessera_billing.entrypoints.dependencies import UnitOfWorkDep
from tessera_billing.entrypoints.http_payments import GatewayDep
from tessera_billing.service_layer.cards import WebhookReceipt, save_card
from tessera_billing.service_layer.payments import apply_payment_outcome, ignore_webhook_event, retry_schedule
from tessera_kit.permissions import public
from tessera_kit.problems import Problem, ServiceUnavailable
from tessera_kit.service import runtime_of

router = APIRouter(prefix="/v1/stripe")

PAYMENT_OUTCOMES = ("payment_intent.succeeded", "payment_intent.payment_failed")


class InvalidStripeWebhook(Problem):
    """A webhook that does not come from Stripe (or comes too late)."""

    status = 400
    title = "Invalid Stripe webhook"
    slug = "invalid-stripe-webhook"


@router.post("/webhooks", tags=["stripe"], summary="Stripe's webhook endpoint", dependencies=[public()])
async def post_stripe_webhook(request: Request, uow: UnitOfWorkDep, stripe: GatewayDep) -> dict[str, Any]:
    """Apply a signed Stripe event once; 400 problem+json for a bad signature."""
    settings = runtime_of(request).settings
    assert isinstance(settings, BillingSettings)
    if not settings.stripe_webhook_secret:
        raise ServiceUnavailable("Stripe webhooks are not configured (BILLING_STRIPE_WEBHOOK_SECRET)")
    try:
        event = verify_webhook(
            await request.body(),
            request.headers.get("stripe-signature"),
            settings.stripe_webhook_secret,
            settings.stripe_webhook_tolerance_seconds,
        )
    except InvalidWebhook as error:
        raise InvalidStripeWebhook(str(error)) from error
    event_id, event_type = str(event.get("id", "")), str(event.get("type", ""))
    subject = event.get("data", {}).get("object", {})
    if not event_id or not isinstance(subject, dict):
        raise InvalidStripeWebhook("the event has no id or no data.object")
    receipt = WebhookReceipt(event_id, event_type)
    if event_type in PAYMENT_OUTCOMES:
        applied = await _payment_outcome(uow, settings, receipt, subject)
    elif event_type == "setup_intent.succeeded":
        applied = await _card_saved(uow, stripe, receipt, subject)
    else:
        await ignore_webhook_event(uow, event_id, event_type)
        applied = False
    return {"received": True, "applied": applied}


async def _payment_outcome(
    uow: BillingUnitOfWork, settings: BillingSettings, receipt: WebhookReceipt, intent: dict[str, Any]
) -> bool:
    failed = receipt.event_type == "payment_intent.payment_failed"
    return await apply_payment_outcome(
        uow,
        retry_schedule(settings),
        event_id=receipt.event_id,
        event_type=receipt.event_type,
        payment_intent_id=str(intent.get("id", "")),
        payment_id=_uuid((intent.get("metadata") or {}).get("payment_id")),
        failure_reason=_failure_reason(intent) if failed else None,
    )


async def _card_saved(
    uow: BillingUnitOfWork, stripe: StripeGateway, receipt: WebhookReceipt, intent: dict[str, Any]
) -> bool:
    payment_method = intent.get("payment_method")
    method_id = payment_method.get("id") if isinstance(payment_method, dict) else payment_method
    async with uow:
        setup = await PaymentsRepository(uow.session).card_setup(
            setup_id=_uuid((intent.get("metadata") or {}).get("setup_id")),
            setup_intent_id=str(intent.get("id", "")),
        )
    if setup is None or not method_id:
        await ignore_webhook_event(uow, receipt.event_id, receipt.event_type)
        return False
    return await save_card(uow, stripe, setup, str(method_id), receipt) is not None


def _failure_reason(intent: dict[str, Any]) -> str:
    """The network's reason, e.g. 'card_declined: insufficient_funds' (never card data)."""
    error = intent.get("last_payment_error") or {}
    code = str(error.get("code") or "payment_failed")
    decline = error.get("decline_code")
    return f"{code}: {decline}" if decline else code


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None
