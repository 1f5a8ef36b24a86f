"""Renewals end to end: every service in its own process, real Kafka, PostgreSQL and HTTP.

A client and its partner order products; an operator runs the renewals due up to a day
(``POST /v1/operations/renewals/run?until=...``); billing invoices each renewal to whoever paid on its
due date, under each billing mode and across a switch, and the invoices are visible only to the payer.
"""

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from tessera_devtools.services import start_services
from tessera_devtools.story import Organisation, Story, expect
from tessera_devtools.testing import KafkaProbe, TokenIssuer, envelope
from tessera_devtools.testing import eventually as until_true
from tessera_events.identity import Role

pytestmark = pytest.mark.e2e

OPERATOR_ORGANISATION = UUID("0a0a0a0a-0000-4000-8000-0000000000e2")
OPERATOR_SETTING = "BILLING_OPERATOR_ORGANISATION_ID"
SERVICES = ("identity", "partnership", "billing")


@pytest.fixture(scope="module")
def services(tessera_infra_provider):  # type: ignore[no-untyped-def]
    """identity, partnership and billing, each in its own process, billing knowing Tessera's operators.

    notify is not needed: these renewals are asserted through billing's API. Each service consumes in
    a consumer group of its own, so that another session's services on the same broker (same service
    names, other databases) do not take this session's events.
    """
    run = uuid4().hex[:8]
    settings = {OPERATOR_SETTING: str(OPERATOR_ORGANISATION)} | {
        f"{name.upper()}_CONSUMER_GROUP": f"{name}-e2e-renewals-{run}" for name in SERVICES
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
async def story(infra, services):  # type: ignore[no-untyped-def]
    driver = Story({name: services.url(name) for name in SERVICES}, infra.kafka_bootstrap)
    yield driver
    await driver.close()


@pytest.fixture
async def operator(infra, story: Story) -> dict[str, str]:  # type: ignore[no-untyped-def]
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


async def order(
    story: Story, client: Organisation, relationship_id: str, product_code: str
) -> dict[str, Any]:
    """The client orders a product under the relationship, once billing has heard of the relationship."""
    url = f"{story.urls['billing']}/v1/organisations/{client.organisation_id}/subscriptions"
    body = {"product_code": product_code, "currency": "CHF", "relationship_id": relationship_id}
    created: dict[str, Any] = {}

    async def placed() -> bool:
        response = await story.http.post(url, json=body, headers=client.auth)
        if response.status_code == 404 and "has no relationship" in response.text:
            return False  # partnership's RelationshipStarted is still on its way to billing
        created.update(expect(response, 201))
        return True

    await until_true(placed, timeout=120, what="billing knowing the relationship")
    return created


async def run_renewals(story: Story, operator: dict[str, str], until: date) -> list[dict[str, Any]]:
    url = f"{story.urls['billing']}/v1/operations/renewals/run?until={until.isoformat()}"
    run = expect(await story.http.post(url, headers=operator), 200)
    invoices: list[dict[str, Any]] = run["invoices"]
    return invoices


async def invoices_of(story: Story, organisation: Organisation) -> list[dict[str, Any]]:
    url = f"{story.urls['billing']}/v1/organisations/{organisation.organisation_id}/invoices"
    response = await story.http.get(url, headers=organisation.auth)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def switch_to(story: Story, client: Organisation, relationship_id: str, mode: str, payer: str) -> None:
    """Switch who pays through partnership, and wait until billing moved the renewals."""
    response = await story.put_billing_mode(client, relationship_id, mode, client.auth)
    assert response.status_code == 200, response.text

    async def moved() -> bool:
        subscriptions = await story.subscriptions(client)
        return all(found["payer_for_next_renewal_organisation_id"] == payer for found in subscriptions)

    await until_true(moved, timeout=120, what=f"billing moving renewals to {payer}")


async def partner_and_client(story: Story) -> tuple[Organisation, Organisation, str]:
    partner = await story.register("Alpenweb Partner AG", "CH", "de")
    client = await story.register("Boulangerie Dupont SA", "FR", "fr")
    relationship = await story.grant_full_access(client, partner)
    return partner, client, relationship["relationship_id"]


def owned_by(invoices: list[dict[str, Any]], client: Organisation) -> list[dict[str, Any]]:
    return [invoice for invoice in invoices if invoice["owner_organisation_id"] == client.organisation_id]


async def test_under_client_pays_the_renewal_is_invoiced_to_the_client_and_hidden_from_the_partner(
    story: Story, operator: dict[str, str]
) -> None:
    partner, client, relationship_id = await partner_and_client(story)
    ordered = await order(story, client, relationship_id, "web-hosting-pro")

    renewed = owned_by(
        await run_renewals(story, operator, date.fromisoformat(ordered["next_renewal_on"])), client
    )
    again = owned_by(
        await run_renewals(story, operator, date.fromisoformat(ordered["next_renewal_on"])), client
    )

    assert [invoice["payer_organisation_id"] for invoice in renewed] == [client.organisation_id]
    assert again == []  # each period renews once
    assert renewed[0]["lines"][0]["list_price"] == {"amount_minor": 11900, "currency": "CHF"}
    assert renewed[0]["subtotal"] == {"amount_minor": 11900, "currency": "CHF"}  # the public price
    assert renewed[0]["tax_treatment"] == "standard_rate"  # a French company without a VAT number
    assert renewed[0]["tax"]["amount_minor"] == 2380
    assert [invoice["kind"] for invoice in await invoices_of(story, client)] == ["renewal", "order"]
    assert owned_by(await invoices_of(story, partner), client) == []
    hidden = await story.http.get(
        f"{story.urls['billing']}/v1/organisations/{partner.organisation_id}/invoices/{renewed[0]['invoice_id']}",
        headers=partner.auth,
    )
    assert hidden.status_code == 404


async def test_under_partner_pays_the_order_and_its_renewal_are_invoiced_to_the_partner(
    story: Story, operator: dict[str, str]
) -> None:
    partner, client, relationship_id = await partner_and_client(story)
    await order(story, client, relationship_id, "mail-pro")
    await switch_to(story, client, relationship_id, "partner_pays", partner.organisation_id)
    ordered = await order(story, client, relationship_id, "domain-ch")

    renewed = owned_by(
        await run_renewals(story, operator, date.fromisoformat(ordered["next_renewal_on"])), client
    )

    domain = [invoice for invoice in renewed if invoice["lines"][0]["product_code"] == "domain-ch"]
    assert ordered["payer_for_next_renewal_organisation_id"] == partner.organisation_id
    assert [invoice["payer_organisation_id"] for invoice in domain] == [partner.organisation_id]
    assert domain[0]["tax_treatment"] == "swiss_vat"  # the partner, who pays, is Swiss
    assert domain[0]["subtotal"]["amount_minor"] <= 1300  # the public price less any reseller discount
    partner_invoices = owned_by(await invoices_of(story, partner), client)
    assert {
        invoice["kind"] for invoice in partner_invoices if invoice["lines"][0]["product_code"] == "domain-ch"
    } == {
        "order",
        "renewal",
    }
    # Only mail-pro's order, placed before the switch, was invoiced to the client.
    assert [invoice["lines"][0]["product_code"] for invoice in await invoices_of(story, client)] == [
        "mail-pro"
    ]


async def test_renewals_after_a_switch_go_to_the_new_payer_and_issued_invoices_stay(
    story: Story, operator: dict[str, str]
) -> None:
    partner, client, relationship_id = await partner_and_client(story)
    ordered = await order(story, client, relationship_id, "mail-pro")
    first_due = date.fromisoformat(ordered["next_renewal_on"])
    first = owned_by(await run_renewals(story, operator, first_due), client)

    await switch_to(story, client, relationship_id, "partner_pays", partner.organisation_id)
    [subscription] = await story.subscriptions(client)
    second = owned_by(
        await run_renewals(story, operator, date.fromisoformat(subscription["next_renewal_on"])), client
    )

    assert [invoice["payer_organisation_id"] for invoice in first] == [client.organisation_id]
    assert [invoice["payer_organisation_id"] for invoice in second] == [partner.organisation_id]
    client_invoices = await invoices_of(story, client)
    assert {invoice["invoice_id"] for invoice in client_invoices} >= {first[0]["invoice_id"]}
    assert len(client_invoices) == 2  # the order and the first renewal never moved
    assert [invoice["invoice_id"] for invoice in owned_by(await invoices_of(story, partner), client)] == [
        second[0]["invoice_id"]
    ]
    assert subscription["owner_organisation_id"] == client.organisation_id  # paying never grants ownership


async def test_a_renewal_run_needs_an_operator(story: Story) -> None:
    partner = await story.register("Nobody Special GmbH", "DE", "de")

    response = await story.http.post(
        f"{story.urls['billing']}/v1/operations/renewals/run?until=2030-01-01", headers=partner.auth
    )

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
