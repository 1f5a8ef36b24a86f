"""The partner programme through the HTTP API, on real PostgreSQL and Kafka: applications, the
administrators' decisions, tiers for billing, affiliates, and the managed volume from billing's events."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from conftest import Organisations, Steps

from tessera_devtools.testing import KafkaProbe, RunningService, envelope, eventually
from tessera_events.billing import CashbackEarned, InvoicePaid
from tessera_events.identity import OrganisationKind, Role
from tessera_events.money import Currency, Money
from tessera_events.partnership import (
    PARTNERS,
    RELATIONSHIPS,
    PartnerStatusChanged,
    PartnerTierAssigned,
    RelationshipEnded,
    RelationshipEndReason,
)
from tessera_partnership.config import PartnershipSettings

pytestmark = pytest.mark.integration
GOOD = {
    "website_url": "https://alpenweb.example.ch",
    "accepts_reseller_terms": True,
    "annual_commitment": {"amount_minor": 200_000, "currency": "CHF"},
}


def application_path(organisation: UUID) -> str:
    return f"/v1/organisations/{organisation}/partner-programme/application"


async def test_an_application_missing_conditions_reports_each_one_separately(
    steps: Steps, organisations: Organisations
) -> None:
    individual = await organisations.register("Hans Muster", kind=OrganisationKind.INDIVIDUAL)
    body = {
        "website_url": "alpenweb",
        "accepts_reseller_terms": False,
        "annual_commitment": {"amount_minor": 100_000, "currency": "CHF"},
        "registry_number": "CHE-109.322.552",
    }

    problem = await steps.call("POST", application_path(individual), steps.as_(individual), 422, body)

    assert {c["condition"]: c["met"] for c in problem["conditions"]} == {
        "company": False,
        "registry_number": False,
        "active_website": False,
        "reseller_terms": False,
        "annual_commitment": False,
    }
    await steps.call("GET", f"/v1/organisations/{individual}/partner-programme", steps.as_(individual), 404)


async def test_an_admitted_partner_gets_the_entry_tier_and_billing_hears_its_rates(
    steps: Steps, organisations: Organisations, kafka: KafkaProbe
) -> None:
    partner = await organisations.register("Admitted Partner AG", registry_number="CHE-109.322.551")

    applied = await steps.call("POST", application_path(partner), steps.as_(partner), 201, GOOD)
    await steps.call("GET", "/v1/partner-programme/partners?status=applied", steps.as_(partner), 403)
    waiting = await steps.call("GET", "/v1/partner-programme/partners?status=applied", steps.admin(), 200)
    status = f"/v1/partner-programme/partners/{partner}/status"
    await steps.call("PUT", status, steps.as_(partner), 403, {"status": "active"})
    admitted = await steps.call("PUT", status, steps.admin(), 200, {"status": "active"})
    gold = await steps.call(
        "PUT", f"/v1/partner-programme/partners/{partner}/tier", steps.admin(), 200, {"tier": "gold"}
    )
    await steps.call(
        "PUT", f"/v1/partner-programme/partners/{partner}/tier", steps.admin(), 422, {"tier": "x"}
    )

    assert applied["partner"]["status"] == "applied"
    assert all(c["met"] for c in applied["conditions"])
    assert str(partner) in [p["organisation_id"] for p in waiting]
    assert (admitted["status"], admitted["tier"]["tier"]) == ("active", "bronze")
    assert gold["tier"] == {"tier": "gold", "reseller_discount_bp": 3000, "cashback_bp": 2500}
    events = await kafka.collect(PARTNERS.name, lambda e: e.subject == str(partner), count=4)
    assert [type(e.data) for e in events] == [
        PartnerStatusChanged,
        PartnerTierAssigned,
        PartnerStatusChanged,
        PartnerTierAssigned,
    ]
    assert (events[3].data.tier, events[3].data.reseller_discount_bp) == ("gold", 3000)
    await steps.call("POST", application_path(partner), steps.as_(partner), 409, GOOD)


async def test_an_organisation_cannot_be_partner_and_affiliate_at_once(
    steps: Steps, organisations: Organisations
) -> None:
    affiliate = await organisations.register("Affiliate GmbH", registry_number="CHE-109.322.551")
    partner = await steps.active_partner(organisations, "Exclusive Partner AG")

    await steps.call("PUT", f"/v1/organisations/{affiliate}/affiliate", steps.as_(affiliate), 200)
    refused = await steps.call("POST", application_path(affiliate), steps.as_(affiliate), 409, GOOD)
    also_refused = await steps.call("PUT", f"/v1/organisations/{partner}/affiliate", steps.as_(partner), 409)
    await steps.call("DELETE", f"/v1/organisations/{affiliate}/affiliate", steps.as_(affiliate), 204)
    await steps.call("POST", application_path(affiliate), steps.as_(affiliate), 201, GOOD)

    assert "affiliate" in refused["detail"]
    assert "partner" in also_refused["detail"]


async def test_managed_volume_counts_what_managed_clients_paid_over_the_last_12_months(
    steps: Steps,
    organisations: Organisations,
    kafka: KafkaProbe,
    partnership: RunningService[PartnershipSettings],
) -> None:
    partner = await steps.active_partner(organisations, "Volume Partner AG")
    client = await organisations.register("Volume Client AG")
    rid = UUID((await steps.invite(partner, client))["relationship_id"])
    now = datetime.now(UTC)
    recent = paid(partner, client, 150_000, now - timedelta(days=30))
    # The same invoice told twice (a replay under a new event id) counts once.
    for invoice in (recent, recent, paid(partner, client, 999_999, now - timedelta(days=400))):
        await kafka.publish(envelope(invoice, source="/tessera/billing"))
    await kafka.publish(envelope(paid(None, client, 777, now), source="/tessera/billing"))
    cashback = CashbackEarned(
        entry_id=uuid4(),
        partner_organisation_id=partner,
        client_organisation_id=client,
        relationship_id=rid,
        invoice_id=uuid4(),
        rate_bp=1000,
        amount=Money(amount_minor=15_000, currency=Currency.CHF),
        earned_at=now,
    )
    await kafka.publish(envelope(cashback, source="/tessera/billing"))

    async def console() -> dict[str, object] | None:
        response = await partnership.http.get(
            f"/v1/organisations/{partner}/console", headers=steps.as_(partner)
        )
        body: dict[str, object] = response.json()
        return body if body["cashback_last_12_months"] else None

    seen = await eventually(console, what="the console to show cashback")
    standing = await steps.call("GET", f"/v1/partner-programme/partners/{partner}", steps.admin(), 200)

    assert seen["managed_volume_last_12_months"] == [{"amount_minor": 150_000, "currency": "CHF"}]
    assert seen["cashback_last_12_months"] == [{"amount_minor": 15_000, "currency": "CHF"}]
    assert standing["managed_volume_last_12_months"] == [{"amount_minor": 150_000, "currency": "CHF"}]
    member_view = await steps.call(
        "GET", f"/v1/organisations/{partner}/console", steps.as_(partner, Role.MEMBER), 200
    )
    assert member_view["managed_volume_last_12_months"] is None


def paid(partner: UUID | None, client: UUID, amount: int, paid_at: datetime) -> InvoicePaid:
    return InvoicePaid(
        invoice_id=uuid4(),
        number=f"CH-2026-{uuid4().hex[:6]}",
        payer_organisation_id=client,
        owner_organisation_id=client,
        partner_organisation_id=partner,
        total=Money(amount_minor=amount, currency=Currency.CHF),
        paid_at=paid_at,
    )


async def test_a_partner_leaving_the_programme_ends_its_relationships(
    steps: Steps, organisations: Organisations, kafka: KafkaProbe
) -> None:
    partner = await steps.active_partner(organisations, "Leaving Partner AG")
    client = await organisations.register("Left Client AG")
    rid = (await steps.invite(partner, client))["relationship_id"]

    left = await steps.call(
        "POST", f"/v1/organisations/{partner}/partner-programme/leave", steps.as_(partner), 200
    )
    refused = await steps.call(
        "POST",
        f"/v1/organisations/{partner}/clients",
        steps.as_(partner),
        409,
        {"client_organisation_id": str(client), "access": "full"},
    )

    assert left["status"] == "left"
    assert "left" in refused["detail"]
    ended = await kafka.first(
        RELATIONSHIPS.name, lambda e: e.subject == rid and isinstance(e.data, RelationshipEnded)
    )
    assert ended.data.reason is RelationshipEndReason.PARTNER_LEFT_PROGRAMME


async def test_a_suspended_partner_keeps_its_clients_but_takes_no_new_ones_and_leaves_the_directory(
    steps: Steps, organisations: Organisations, partnership: RunningService[PartnershipSettings]
) -> None:
    partner = await steps.active_partner(organisations, f"Suspended {uuid4().hex[:8]} AG")
    client = await organisations.register("Kept Client AG")
    newcomer = await organisations.register("Newcomer Client AG")
    rid = (await steps.invite(partner, client))["relationship_id"]
    await steps.call(
        "PUT",
        f"/v1/organisations/{partner}/directory-listing",
        steps.as_(partner),
        200,
        {"website_url": "https://alpenweb.example.ch", "languages": ["de"]},
    )

    await steps.call(
        "PUT", f"/v1/partner-programme/partners/{partner}/status", steps.admin(), 200, {"status": "suspended"}
    )

    await steps.call("GET", f"/v1/organisations/{partner}/clients/{rid}/access", steps.as_(partner), 200)
    await steps.call(
        "POST",
        f"/v1/organisations/{partner}/clients",
        steps.as_(partner),
        409,
        {"client_organisation_id": str(newcomer), "access": "full"},
    )
    await steps.call("GET", f"/v1/organisations/{partner}/received-offer-requests", steps.as_(partner), 409)
    listed = await partnership.http.get("/v1/directory", params={"q": "Suspended"})
    assert str(partner) not in [entry["organisation_id"] for entry in listed.json()]
