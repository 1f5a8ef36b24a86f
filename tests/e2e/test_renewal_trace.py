"""A renewal is one trace, from the renewal through its invoice and the card charge at Stripe
(stripe-mock) to the payer's e-mail, and an SRE sees the Stripe call in Zipkin's dashboard.

identity, partnership, billing and notify each run in their own process; an operator runs the
renewals due up to a day; Stripe's webhook confirming the charge is sent as Stripe would send it.
"""

import asyncio
import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from tessera_devtools.dashboard import rows_seen_in_trace_page, screenshots_dir
from tessera_devtools.endpoints import Endpoints
from tessera_devtools.services import DEV_STRIPE_WEBHOOK_SECRET, RunningServices, start_services
from tessera_devtools.smtp_inbox import read_inbox
from tessera_devtools.story import Organisation, Story, expect
from tessera_devtools.testing import KafkaProbe, TokenIssuer, envelope
from tessera_devtools.testing import eventually as until_true
from tessera_devtools.zipkin import read_trace, service_of
from tessera_events.identity import Role

pytestmark = pytest.mark.e2e

OPERATOR_ORGANISATION = UUID("0a0a0a0a-0000-4000-8000-0000000000e3")
SERVICES = ("identity", "partnership", "billing", "notify")
# What the renewal's trace holds: the renewal, the charge and its Stripe call, the webhook's settlement
# of it, and the e-mails (Zipkin shows names in lower case).
RENEWAL_SPANS = {
    "renew subscription",
    "charge invoice",
    "post /v1/payment_intents",
    "settle payment",
    "smtp send",
}


@pytest.fixture(scope="module")
def services(tessera_infra_provider):  # type: ignore[no-untyped-def]
    """The four services, billing knowing Tessera's operators, each in a consumer group of its own
    (another session's services on the same broker do not take this session's events)."""
    run = uuid4().hex[:8]
    settings = {"BILLING_OPERATOR_ORGANISATION_ID": str(OPERATOR_ORGANISATION)} | {
        f"{name.upper()}_CONSUMER_GROUP": f"{name}-e2e-renewal-trace-{run}" for name in SERVICES
    }
    running = start_services(
        tessera_infra_provider.endpoints,
        SERVICES,
        session=tessera_infra_provider.session,
        ready_timeout=180,
        settings=settings,
    )
    yield running
    running.stop()


@pytest.fixture
async def story(infra: Endpoints, services: RunningServices):  # type: ignore[no-untyped-def]
    driver = Story({name: services.url(name) for name in SERVICES}, infra.kafka_bootstrap)
    yield driver
    await driver.close()


@pytest.fixture
async def operator(infra: Endpoints, story: Story) -> dict[str, str]:
    """An operator's token, signed with a key published on identity's signing-keys topic as identity does."""
    issuer = TokenIssuer("")
    async with KafkaProbe(infra.kafka_bootstrap) as kafka:
        await kafka.publish(envelope(issuer.signing_key_published(), source="/tessera/identity"))
    headers = issuer.headers({OPERATOR_ORGANISATION: Role.ADMINISTRATOR})

    async def trusted() -> bool:
        response = await story.http.post(
            f"{story.urls['billing']}/v1/operations/renewals/run?until=2000-01-01", headers=headers
        )
        return response.status_code == 200

    await until_true(trusted, what="billing trusting the operator's signing key")
    return headers


async def stripe_webhook(story: Story, event_type: str, subject: dict[str, Any]) -> None:
    """Deliver a Stripe event to billing, signed as Stripe signs it."""
    payload = json.dumps(
        {
            "id": f"evt_{uuid4().hex}",
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "data": {"object": subject},
        }
    ).encode()
    timestamp = int(time.time())
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(DEV_STRIPE_WEBHOOK_SECRET.encode(), signed, hashlib.sha256).hexdigest()
    response = await story.http.post(
        f"{story.urls['billing']}/v1/stripe/webhooks",
        content=payload,
        headers={"Stripe-Signature": f"t={timestamp},v1={digest}", "Content-Type": "application/json"},
    )
    assert expect(response, 200)["applied"] is True


async def add_card(story: Story, payer: Organisation) -> None:
    """The payer saves a card: billing opens a SetupIntent, Stripe's webhook says it succeeded."""
    url = f"{story.urls['billing']}/v1/organisations/{payer.organisation_id}/card-setups"
    opened = expect(await story.http.post(url, headers=payer.auth), 201)
    await stripe_webhook(
        story,
        "setup_intent.succeeded",
        {
            "id": opened["setup_intent_id"],
            "object": "setup_intent",
            "status": "succeeded",
            "payment_method": f"pm_renewal_{uuid4().hex[:12]}",
            "metadata": {"setup_id": opened["setup_id"], "organisation_id": payer.organisation_id},
        },
    )


async def charged_attempt(story: Story, payer: Organisation, invoice_id: str) -> dict[str, Any]:
    """The invoice's payment attempt once billing's job handed it to Stripe."""
    url = f"{story.urls['billing']}/v1/organisations/{payer.organisation_id}/payments"

    async def submitted() -> dict[str, Any] | None:
        response = await story.http.get(url, headers=payer.auth)
        assert response.status_code == 200, response.text
        attempts: list[dict[str, Any]] = response.json()
        sent = [found for found in attempts if found["invoice_id"] == invoice_id]
        return next((found for found in sent if found["stripe_payment_intent_id"]), None)

    return await until_true(submitted, 60, what="the renewal's charge sent to Stripe")


def renewal_trace_id(zipkin: str, subscription_id: str) -> str | None:
    """The trace of the subscription's renewal, found as an SRE would: by its tag in Zipkin's search."""
    query = urllib.parse.urlencode(
        {
            "serviceName": "billing",
            "spanName": "renew subscription",
            "annotationQuery": f"tessera.subscription_id={subscription_id}",
            "lookback": str(3_600_000),
            "endTs": str(int((datetime.now(UTC) + timedelta(minutes=1)).timestamp() * 1000)),
        }
    )
    with urllib.request.urlopen(f"{zipkin}/api/v2/traces?{query}", timeout=5) as response:
        traces: list[list[dict[str, Any]]] = json.load(response)
    return str(traces[0][0]["traceId"]) if traces else None


def descends_from(span: dict[str, Any], ancestor_id: str, by_id: dict[str, dict[str, Any]]) -> bool:
    parent = span.get("parentId")
    while parent is not None:
        if parent == ancestor_id:
            return True
        parent = by_id.get(parent, {}).get("parentId")
    return False


async def test_a_renewals_trace_runs_from_the_renewal_through_the_stripe_charge_to_the_payers_email(
    infra: Endpoints, story: Story, operator: dict[str, str]
) -> None:
    zipkin, maildir = infra.zipkin_url, infra.maildir
    assert zipkin is not None  # the session's own Zipkin
    assert maildir is not None
    partner = await story.register("Renewal Trace Partner AG", "CH", "de")
    client = await story.register("Renewal Trace Client GmbH", "CH", "de")
    relationship = await story.grant_full_access(client, partner)
    await add_card(story, client)
    ordered = await story.order(client, relationship["relationship_id"], "web-hosting-pro")

    run = f"{story.urls['billing']}/v1/operations/renewals/run?until={ordered['next_renewal_on']}"
    renewed = expect(await story.http.post(run, headers=operator), 200)["invoices"]
    [invoice] = [found for found in renewed if found["owner_organisation_id"] == client.organisation_id]
    attempt = await charged_attempt(story, client, invoice["invoice_id"])
    await stripe_webhook(
        story,
        "payment_intent.succeeded",
        {
            "id": attempt["stripe_payment_intent_id"],
            "object": "payment_intent",
            "status": "succeeded",
            "metadata": {"payment_id": attempt["payment_id"], "invoice_id": invoice["invoice_id"]},
        },
    )

    async def debit_confirmed() -> bool:
        return any(
            message["X-Tessera-Notification"] == "payment_succeeded" and message["To"] == client.billing_email
            for message in read_inbox(maildir)
        )

    await until_true(debit_confirmed, 60, what="the e-mail confirming the card debit")
    trace_id = await until_true(
        lambda: asyncio.to_thread(renewal_trace_id, zipkin, ordered["subscription_id"]),
        30,
        what="the renewal's trace in Zipkin's search",
    )
    spans = await until_true(
        lambda: asyncio.to_thread(read_trace, zipkin, trace_id),
        30,
        until=lambda found: {span["name"] for span in found} >= RENEWAL_SPANS,
        what=f"the renewal, the Stripe call, the settlement and an SMTP send in trace {trace_id}",
    )

    by_id = {span["id"]: span for span in spans}
    named = {(service_of(span), span["name"]): span for span in spans}
    stripe_call = named[("billing", "post /v1/payment_intents")]
    assert stripe_call["kind"] == "CLIENT"
    assert {key: stripe_call["tags"][key] for key in ("http.request.method", "url.path")} == {
        "http.request.method": "POST",
        "url.path": "/v1/payment_intents",
    }
    assert stripe_call["tags"]["http.response.status_code"] == "200"
    assert stripe_call["tags"]["server.address"] == "127.0.0.1"
    settle = named[("billing", "settle payment")]
    sends = [span for span in spans if span["name"] == "smtp send"]
    assert any(descends_from(send, settle["id"], by_id) for send in sends)  # the debit's e-mail
    assert descends_from(stripe_call, named[("billing", "renew subscription")]["id"], by_id)

    screenshot = screenshots_dir() / "renewal-trace.png"
    await rows_seen_in_trace_page(
        zipkin,
        trace_id,
        ["billing: renew subscription", "billing: post /v1/payment_intents", "notify: smtp send"],
        screenshot,
    )
