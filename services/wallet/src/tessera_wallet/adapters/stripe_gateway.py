"""Charging the primary card through Stripe's PaymentIntents API (stripe-mock in development).

Every attempt creates and confirms a PaymentIntent in one call, with the attempt's idempotency key:
a repeat of the call (a crash, a timeout) returns Stripe's first answer instead of charging again.
Recharges run without the customer present (``off_session``). The charge id and attempt number
travel in the PaymentIntent's metadata, so the webhook can settle a pending charge.
"""

from collections.abc import Mapping

import stripe

from tessera_kit.client_spans import http_client_span, record_response
from tessera_wallet.domain.charges import ChargeKind, ChargeRequest, PaymentOutcome, PaymentResult

TIMEOUT_SECONDS = 30.0
_PENDING = frozenset({"processing", "requires_action", "requires_confirmation", "requires_capture"})


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


class StripeGateway:
    """A payment gateway on Stripe's async client (httpx underneath)."""

    def __init__(self, api_key: str, api_base: str) -> None:
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base},
            http_client=TracedHTTPXClient(timeout=TIMEOUT_SECONDS),
            max_network_retries=0,
        )

    async def charge(self, request: ChargeRequest) -> PaymentOutcome:
        """Create and confirm a PaymentIntent for the request."""
        params: dict[str, object] = {
            "amount": request.amount_minor,
            "currency": request.currency.value.lower(),
            "customer": request.customer_id,
            "payment_method": request.payment_method_id,
            "payment_method_types": ["card"],
            "confirm": True,
            "off_session": request.kind is ChargeKind.AUTO_RECHARGE,
            "description": f"Tessera wallet {request.kind.value.replace('_', '-')}",
            "metadata": {
                "wallet_charge_id": str(request.charge_id),
                "wallet_charge_attempt": str(request.attempt),
                "wallet_id": str(request.wallet_id),
                "organisation_id": str(request.organisation_id),
            },
        }
        try:
            intent = await self._client.v1.payment_intents.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": request.idempotency_key},
            )
        except stripe.CardError as error:
            return PaymentOutcome(PaymentResult.DECLINED, _intent_id(error), _reason(error))
        except (stripe.APIConnectionError, stripe.RateLimitError, stripe.IdempotencyError) as error:
            # IdempotencyError: the same attempt is still in flight elsewhere; its answer will come.
            return PaymentOutcome(
                PaymentResult.UNAVAILABLE, reason=f"stripe unreachable: {error.user_message}"
            )
        except stripe.StripeError as error:
            if error.http_status is not None and error.http_status >= 500:
                return PaymentOutcome(PaymentResult.UNAVAILABLE, reason=_reason(error))
            return PaymentOutcome(PaymentResult.DECLINED, _intent_id(error), _reason(error))
        return outcome_of(intent.status, intent.id)

    async def status(self, payment_intent_id: str) -> PaymentOutcome:
        """Retrieve a PaymentIntent Stripe had not decided."""
        try:
            intent = await self._client.v1.payment_intents.retrieve_async(payment_intent_id)
        except stripe.StripeError as error:
            return PaymentOutcome(PaymentResult.UNAVAILABLE, payment_intent_id, _reason(error))
        return outcome_of(intent.status, intent.id)


def outcome_of(status: str, payment_intent_id: str) -> PaymentOutcome:
    """The wallet's reading of a PaymentIntent's status: only ``succeeded`` credits the wallet."""
    if status == "succeeded":
        return PaymentOutcome(PaymentResult.SUCCEEDED, payment_intent_id)
    if status in _PENDING:
        return PaymentOutcome(PaymentResult.PENDING, payment_intent_id)
    return PaymentOutcome(PaymentResult.DECLINED, payment_intent_id, f"payment_intent_{status}")


def _reason(error: stripe.StripeError) -> str:
    code = error.code or type(error).__name__
    return f"{code}: {error.user_message or 'the payment was not accepted'}"


def _intent_id(error: stripe.StripeError) -> str | None:
    body = error.json_body or {}
    intent = body.get("error", {}).get("payment_intent") if isinstance(body, dict) else None
    return intent.get("id") if isinstance(intent, dict) else None
