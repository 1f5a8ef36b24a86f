"""Charging issued invoices off-session through stripe-mock, settled by Stripe's signed webhooks."""

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from payments_support import add_card, post_webhook, stripe_event, with_stripe

from tessera_billing.config import BillingSettings
from tessera_billing.main import define
from tessera_billing.service_layer.invoices import void_invoice
from tessera_devtools.endpoints import Endpoints
from tessera_devtools.testing import KafkaProbe, RunningService, TokenIssuer, eventually, running_service
from tessera_events.billing import INVOICES
from tessera_events.identity import Role

pytestmark = pytest.mark.integration


@pytest.fixture
async def billing(
    billing_settings: BillingSettings, infra: Endpoints
) -> AsyncIterator[RunningService[BillingSettings]]:
    """Billing on stripe-mock, its payment job running, accepting the tests' signed webhooks."""
    async with running_service(define, with_stripe(billing_settings, infra)) as running:
        yield running


async def _order(
    billing: RunningService[BillingSettings], organisation: UUID, headers: dict[str, str]
) -> None:
    ordered = await billing.http.post(
        f"/v1/organisations/{organisation}/subscriptions",
        json={"product_code": "web-hosting-pro", "currency": "CHF"},
        headers=headers,
    )
    assert ordered.status_code == 201, ordered.text


async def _payments(
    billing: RunningService[BillingSettings], organisation: UUID, headers: dict[str, str]
) -> list[dict[str, Any]]:
    response = await billing.http.get(f"/v1/organisations/{organisation}/payments", headers=headers)
    assert response.status_code == 200, response.text
    payments: list[dict[str, Any]] = response.json()
    return payments


async def _submitted(
    billing: RunningService[BillingSettings], organisation: UUID, headers: dict[str, str]
) -> dict[str, Any]:
    """The first attempt, once the job handed it to Stripe (stripe-mock leaves it to the webhook)."""

    async def submitted() -> dict[str, Any] | None:
        payments = await _payments(billing, organisation, headers)
        return payments[0] if payments and payments[0]["status"] == "submitted" else None

    return await eventually(submitted, what="the first payment attempt handed to Stripe")


async def test_an_issued_invoice_is_charged_to_the_primary_card_and_paid_when_stripe_confirms(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    organisation = uuid4()
    admin = tokens.headers({organisation: Role.ADMINISTRATOR})
    await add_card(billing.http, organisation, admin, "pm_renewal_visa")
    await _order(billing, organisation, admin)

    attempt = await _submitted(billing, organisation, admin)
    assert attempt["attempt"] == 1
    assert attempt["card_last4"]
    assert attempt["stripe_payment_intent_id"].startswith("pi_")

    succeeded = stripe_event(
        "payment_intent.succeeded",
        {
            "id": attempt["stripe_payment_intent_id"],
            "status": "succeeded",
            "metadata": {"payment_id": attempt["payment_id"], "invoice_id": attempt["invoice_id"]},
        },
    )
    assert (await post_webhook(billing.http, succeeded)).json()["applied"] is True
    assert (await post_webhook(billing.http, succeeded)).json()["applied"] is False

    [paid] = await _payments(billing, organisation, admin)
    assert paid["status"] == "succeeded"
    events = await kafka.collect(
        INVOICES.name,
        lambda event: (
            str(event.data.invoice_id) == attempt["invoice_id"]
            and event.type in ("tessera.billing.PaymentSucceeded.v1", "tessera.billing.InvoicePaid.v1")
        ),
        count=2,
    )
    payment = next(event for event in events if event.type == "tessera.billing.PaymentSucceeded.v1")
    assert str(payment.data.payment_id) == attempt["payment_id"]
    assert payment.data.amount.amount_minor == attempt["amount"]["amount_minor"]
    assert payment.data.card_last4 == attempt["card_last4"]
    assert {event.type for event in events} == {
        "tessera.billing.PaymentSucceeded.v1",
        "tessera.billing.InvoicePaid.v1",
    }


async def test_a_declined_card_is_retried_a_day_after_the_failure_and_the_payer_is_told(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    organisation = uuid4()
    admin = tokens.headers({organisation: Role.ADMINISTRATOR})
    await add_card(billing.http, organisation, admin, "pm_declined_visa")
    await _order(billing, organisation, admin)
    attempt = await _submitted(billing, organisation, admin)

    failed = stripe_event(
        "payment_intent.payment_failed",
        {
            "id": attempt["stripe_payment_intent_id"],
            "status": "requires_payment_method",
            "last_payment_error": {"code": "card_declined", "decline_code": "insufficient_funds"},
            "metadata": {"payment_id": attempt["payment_id"]},
        },
    )
    assert (await post_webhook(billing.http, failed)).json()["applied"] is True

    retry, first = await _payments(billing, organisation, admin)
    assert first["status"] == "failed"
    assert first["failure_reason"] == "card_declined: insufficient_funds"
    assert (retry["attempt"], retry["status"]) == (2, "scheduled")
    announced = await kafka.first(
        INVOICES.name,
        lambda event: (
            event.type == "tessera.billing.PaymentFailed.v1"
            and str(event.data.payment_id) == first["payment_id"]
        ),
    )
    assert announced.data.attempt == 1
    assert announced.data.failure_reason == "card_declined: insufficient_funds"
    assert announced.data.next_attempt_at - announced.data.failed_at == timedelta(days=1)
    assert announced.data.invoice_number


async def test_an_order_without_a_card_on_file_fails_its_payment_and_enters_dunning(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    organisation = uuid4()
    member = tokens.headers({organisation: Role.MEMBER})
    await _order(billing, organisation, member)

    announced = await kafka.first(
        INVOICES.name,
        lambda event: (
            event.type == "tessera.billing.PaymentFailed.v1"
            and event.data.payer_organisation_id == organisation
        ),
    )
    assert announced.data.failure_reason == "no_card_on_file"
    assert announced.data.next_attempt_at is not None
    statuses = [
        (payment["attempt"], payment["status"]) for payment in await _payments(billing, organisation, member)
    ]
    assert statuses == [(2, "scheduled"), (1, "failed")]


async def test_after_adding_a_card_the_payer_retries_a_failed_invoice_at_once(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    organisation, stranger = uuid4(), uuid4()
    admin = tokens.headers({organisation: Role.ADMINISTRATOR, stranger: Role.ADMINISTRATOR})
    await _order(billing, organisation, admin)
    failed = await kafka.first(
        INVOICES.name,
        lambda event: (
            event.type == "tessera.billing.PaymentFailed.v1"
            and event.data.payer_organisation_id == organisation
        ),
    )
    invoice = failed.data.invoice_id
    await add_card(billing.http, organisation, admin, "pm_new_card")

    retried = await billing.http.post(
        f"/v1/organisations/{organisation}/invoices/{invoice}/payments", headers=admin
    )
    assert retried.status_code == 202, retried.text
    assert retried.json()["attempt"] == 2

    async def second_attempt_sent() -> dict[str, Any] | None:
        latest = (await _payments(billing, organisation, admin))[0]
        return latest if latest["status"] == "submitted" else None

    sent = await eventually(second_attempt_sent, what="the retry handed to Stripe at once")
    assert sent["attempt"] == 2
    assert sent["card_last4"]
    again = await billing.http.post(
        f"/v1/organisations/{organisation}/invoices/{invoice}/payments", headers=admin
    )
    assert again.status_code == 409
    elsewhere = await billing.http.post(
        f"/v1/organisations/{stranger}/invoices/{invoice}/payments", headers=admin
    )
    assert elsewhere.status_code == 404


async def test_a_charge_confirmed_after_its_invoice_was_voided_is_recorded_and_the_invoice_stays_void(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    organisation = uuid4()
    admin = tokens.headers({organisation: Role.ADMINISTRATOR})
    await add_card(billing.http, organisation, admin, "pm_slow_visa")
    await _order(billing, organisation, admin)
    attempt = await _submitted(billing, organisation, admin)
    await void_invoice(billing.runtime.unit_of_work(), UUID(attempt["invoice_id"]), "ordered by mistake")

    succeeded = stripe_event(
        "payment_intent.succeeded",
        {"id": attempt["stripe_payment_intent_id"], "metadata": {"payment_id": attempt["payment_id"]}},
    )
    applied = await post_webhook(billing.http, succeeded)

    assert applied.status_code == 200
    assert applied.json()["applied"] is True
    await kafka.first(
        INVOICES.name,
        lambda event: (
            event.type == "tessera.billing.PaymentSucceeded.v1"
            and str(event.data.payment_id) == attempt["payment_id"]
        ),
    )
    invoice = await billing.http.get(
        f"/v1/organisations/{organisation}/invoices/{attempt['invoice_id']}", headers=admin
    )
    assert invoice.json()["status"] == "void"


async def test_another_organisation_never_sees_the_payments(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation = uuid4()
    outsider = tokens.headers({uuid4(): Role.LEGAL_REPRESENTATIVE})

    response = await billing.http.get(f"/v1/organisations/{organisation}/payments", headers=outsider)

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
