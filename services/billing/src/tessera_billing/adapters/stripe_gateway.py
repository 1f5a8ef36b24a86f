"""Stripe through its official SDK: customers, SetupIntents, cards, off-session PaymentIntents, webhooks.

Every call that creates or changes something at Stripe carries an idempotency key derived from the
command or the payment attempt it serves, so sending it again (a retry after a timeout, a crash
between the call and recording its answer) never creates a second customer or a second charge.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

import stripe

from tessera_billing.domain.money import Money
from tessera_billing.domain.payments import Card
from tessera_kit.client_spans import http_client_span, record_response


class ChargeStatus(StrEnum):
    """What Stripe answered to a charge."""

    SUCCEEDED = "succeeded"
    PENDING = "pending"  # processing, or waiting for something only the webhook will tell
    FAILED = "failed"


@dataclass(frozen=True)
class ChargeOutcome:
    """Stripe's answer to an off-session charge."""

    status: ChargeStatus
    payment_intent_id: str | None
    failure_reason: str | None = None


@dataclass(frozen=True)
class CardSetupOpened:
    """A SetupIntent the front end confirms with Stripe.js, using its client secret."""

    setup_intent_id: str
    client_secret: str


@dataclass(frozen=True)
class CardSetupState:
    """Where a SetupIntent stands at Stripe."""

    setup_intent_id: str
    status: str
    payment_method_id: str | None


class TracedHTTPXClient(stripe.HTTPXClient):
    """Stripe's httpx client with a client span per HTTP request (a retry is a span of its own)."""

    async def request_async(  # type: ignore[no-untyped-def]  # post_data is untyped in the SDK
        self, method: str, url: str, headers: Mapping[str, str], post_data=None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        """Send the request inside a span carrying its method, host, path and status."""
        with http_client_span("stripe", method, url) as span:
            content, status, response_headers = await super().request_async(method, url, headers, post_data)
            record_response(span, status)
        return content, status, response_headers


class InvalidWebhook(Exception):
    """A webhook whose signature, age or payload does not check out."""


def verify_webhook(
    payload: bytes, signature: str | None, secret: str, tolerance_seconds: int
) -> dict[str, Any]:
    """The Stripe event in a webhook's body, once its ``Stripe-Signature`` checks out; InvalidWebhook else."""
    if not signature:
        raise InvalidWebhook("the Stripe-Signature header is missing")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret, tolerance=tolerance_seconds)
    except stripe.SignatureVerificationError as error:
        raise InvalidWebhook(f"the signature does not check out: {error.user_message or error}") from error
    except ValueError as error:
        raise InvalidWebhook(f"the payload is not a Stripe event: {error}") from error
    return dict(event.to_dict())


class StripeGateway:
    """Billing's calls to Stripe, asynchronous, through one HTTP client."""

    def __init__(self, api_key: str, api_base: str, http_client: stripe.HTTPClient | None = None) -> None:
        self._http_client = http_client or TracedHTTPXClient()
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base},
            http_client=self._http_client,
            max_network_retries=2,
        )

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self._http_client.close_async()  # type: ignore[no-untyped-call]  # untyped in the SDK

    async def create_customer(self, organisation_id: UUID) -> str:
        """A Stripe customer for a paying organisation; the same one however often it is asked for."""
        customer = await self._client.v1.customers.create_async(
            params={"metadata": {"organisation_id": str(organisation_id)}},
            options={"idempotency_key": f"tessera-customer-{organisation_id}"},
        )
        return str(customer.id)

    async def open_card_setup(
        self, customer_id: str, organisation_id: UUID, setup_id: UUID
    ) -> CardSetupOpened:
        """A SetupIntent saving a card for off-session charges (renewals, auto-recharges)."""
        intent = await self._client.v1.setup_intents.create_async(
            params={
                "customer": customer_id,
                "usage": "off_session",
                "metadata": {"organisation_id": str(organisation_id), "setup_id": str(setup_id)},
            },
            options={"idempotency_key": f"tessera-card-setup-{setup_id}"},
        )
        return CardSetupOpened(setup_intent_id=str(intent.id), client_secret=str(intent.client_secret))

    async def card_setup(self, setup_intent_id: str) -> CardSetupState:
        """A SetupIntent's status and the card it saved, if any."""
        intent = await self._client.v1.setup_intents.retrieve_async(setup_intent_id)
        method = intent.payment_method
        method_id = method if isinstance(method, str) or method is None else str(method.id)
        return CardSetupState(
            setup_intent_id=str(intent.id), status=str(intent.status), payment_method_id=method_id
        )

    async def card(self, payment_method_id: str) -> Card:
        """A saved card's brand, last digits and expiry (never its number)."""
        method = await self._client.v1.payment_methods.retrieve_async(payment_method_id)
        card = method.card
        if card is None:
            raise ValueError(f"payment method {payment_method_id} is not a card")
        return Card(
            payment_method_id=str(method.id),
            brand=str(card.brand),
            last4=str(card.last4),
            exp_month=int(card.exp_month),
            exp_year=int(card.exp_year),
        )

    async def detach_card(self, payment_method_id: str) -> None:
        """Detach a card from its customer: it can no longer be charged."""
        await self._client.v1.payment_methods.detach_async(
            payment_method_id, options={"idempotency_key": f"tessera-detach-{payment_method_id}"}
        )

    async def charge_off_session(
        self,
        *,
        customer_id: str,
        payment_method_id: str,
        amount: Money,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> ChargeOutcome:
        """Charge a saved card without its holder present; a decline is an outcome, not an error."""
        try:
            intent = await self._client.v1.payment_intents.create_async(
                params={
                    "amount": amount.amount_minor,
                    "currency": amount.currency.value.lower(),
                    "customer": customer_id,
                    "payment_method": payment_method_id,
                    "off_session": True,
                    "confirm": True,
                    "metadata": dict(metadata),
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.CardError as error:
            return ChargeOutcome(ChargeStatus.FAILED, _intent_id_of(error), _decline_reason(error))
        if intent.status == "succeeded":
            return ChargeOutcome(ChargeStatus.SUCCEEDED, str(intent.id))
        return ChargeOutcome(ChargeStatus.PENDING, str(intent.id))


def _intent_id_of(error: stripe.CardError) -> str | None:
    body = error.json_body if isinstance(error.json_body, dict) else {}
    intent = body.get("error", {}).get("payment_intent") or {}
    return str(intent["id"]) if isinstance(intent, dict) and "id" in intent else None


def _decline_reason(error: stripe.CardError) -> str:
    """The network's reason, e.g. 'card_declined: insufficient_funds' (no card data in it)."""
    decline = getattr(error.error, "decline_code", None) if error.error is not None else None
    return f"{error.code or 'card_error'}: {decline}" if decline else str(error.code or "card_error")
