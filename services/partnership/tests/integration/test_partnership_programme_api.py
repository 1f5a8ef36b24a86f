"""The partner programme through the HTTP API, on real PostgreSQL and Kafka: applications, the
administrators' decisions, tiers for billing, affiliates, and the managed volume from billing's events."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from conftest import Organisations, Steps

from tessera_devtools.testing import KafkaProbe, RunningService, envelope, eventually
from tessera_events.billing import CashbackEarned, InvoiceIssued, InvoicePaid, InvoiceVoided, TaxTreatment
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
    await steps.call(
        "PUT", f"/v1/partner-programme/partners/{partner}/tier", steps.admin(), 422, {"tier": "x"}
    )

    assert applied["partner"]["status"] == "applied"
    assert all(c["met"] for c in applied["conditions"])
    assert str(partner) in [p["organisation_id"] for p in waiting]
    assert (admitted["status"], admitted["tier"]["tier"]) == ("active", "bronze")
    events = await kafka.collect(PARTNERS.name, lambda e: e.subject == str(partner), count=3)
    assert [type(e.data) for e in events] == [PartnerStatusChanged, PartnerTierAssigned, PartnerStatusChanged]
    assert (events[1].data.tier, events[1].data.reseller_discount_bp) == ("bronze", 1000)
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


async def test_managed_volume_is_measured_from_billings_invoices_and_earns_a_higher_tier(
    steps: Steps,
    organisations: Organisations,
    kafka: KafkaProbe,
    partnership: RunningService[PartnershipSettings],
) -> None:
    partner = await steps.active_partner(organisations, "Volume Partner AG")
    client = await organisations.register("Volume Client AG")
    rid = UUID((await steps.invite(partner, client))["relationship_id"])
    now = datetime.now(UTC)
    tier = f"/v1/partner-programme/partners/{partner}/tier"
    short = await steps.call("PUT", tier, steps.admin(), 409, {"tier": "gold"})
    to_client = issued(partner, client, client, 150_000, now - timedelta(days=30))
    voided = issued(partner, client, client, 80_000, now - timedelta(days=20))
    to_partner = issued(partner, client, partner, 60_000, now - timedelta(days=10))
    events = [
        to_client,
        to_client,  # the same invoice told twice (a replay under a new event id) counts once
        issued(partner, client, client, 999_999, now - timedelta(days=400)),  # older than 12 months
        issued(None, client, client, 777, now),  # not managed by a partner
        voided,
        InvoiceVoided(
            invoice_id=voided.invoice_id,
            number=voided.number,
            payer_organisation_id=client,
            uncollectible=False,
            reason="ordered by mistake",
            voided_at=now,
        ),
        to_partner,
        paid(partner, to_partner, now),
        paid(partner, to_client, now),
        CashbackEarned(
            entry_id=uuid4(),
            partner_organisation_id=partner,
            client_organisation_id=client,
            relationship_id=rid,
            invoice_id=to_client.invoice_id,
            rate_bp=1000,
            amount=chf(15_000),
            earned_at=now,
        ),
    ]
    for event in events:
        await kafka.publish(envelope(event, source="/tessera/billing"))

    async def measured() -> dict[str, Any] | None:
        response = await partnership.http.get(
            f"/v1/partner-programme/partners/{partner}", headers=steps.admin()
        )
        body: dict[str, Any] = response.json()
        return body if body["cashback_last_12_months"] else None

    standing = await eventually(measured, what="the standing to count billing's invoices")
    console = await steps.call("GET", f"/v1/organisations/{partner}/console", steps.as_(partner), 200)
    gold = await steps.call("PUT", tier, steps.admin(), 200, {"tier": "gold"})

    assert "managed volume" in short["detail"]
    assert standing["invoiced_to_clients_last_12_months"] == [{"amount_minor": 150_000, "currency": "CHF"}]
    assert standing["paid_by_partner_last_12_months"] == [{"amount_minor": 60_000, "currency": "CHF"}]
    assert standing["managed_volume_last_12_months"] == [{"amount_minor": 210_000, "currency": "CHF"}]
    assert {c["condition"]: c["met"] for c in standing["conditions"]} == {
        "annual_commitment": True,
        "managed_volume": True,
    }
    assert console["managed_volume_last_12_months"] == standing["managed_volume_last_12_months"]
    assert console["cashback_last_12_months"] == [{"amount_minor": 15_000, "currency": "CHF"}]
    assert gold["tier"] == {"tier": "gold", "reseller_discount_bp": 3000, "cashback_bp": 2500}
    own = await steps.call("GET", f"/v1/organisations/{partner}/partner-programme", steps.as_(partner), 200)
    assert own["conditions"] == standing["conditions"]
    member_view = await steps.call(
        "GET", f"/v1/organisations/{partner}/console", steps.as_(partner, Role.MEMBER), 200
    )
    assert member_view["managed_volume_last_12_months"] is None


def chf(amount: int) -> Money:
    return Money(amount_minor=amount, currency=Currency.CHF)


def issued(partner: UUID | None, client: UUID, payer: UUID, net: int, at: datetime) -> InvoiceIssued:
    """An invoice billing issued for the client's products, to ``payer``, with 8.1 % Swiss VAT."""
    tax = net * 81 // 1000
    return InvoiceIssued(
        invoice_id=uuid4(),
        number=f"CH-2026-{uuid4().hex[:6]}",
        payer_organisation_id=payer,
        owner_organisation_id=client,
        relationship_id=None if partner is None else uuid4(),
        partner_organisation_id=partner,
        subtotal=chf(net),
        tax=chf(tax),
        total=chf(net + tax),
        tax_treatment=TaxTreatment.SWISS_VAT,
        issued_at=at,
        due_on=at.date() + timedelta(days=30),
    )


def paid(partner: UUID, invoice: InvoiceIssued, at: datetime) -> InvoicePaid:
    return InvoicePaid(
        invoice_id=invoice.invoice_id,
        number=invoice.number,
        payer_organisation_id=invoice.payer_organisation_id,
        owner_organisation_id=invoice.owner_organisation_id,
        partner_organisation_id=partner,
        total=invoice.total,
        paid_at=at,
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


async def test_a_suspended_partner_keeps_its_clients_but_nobody_acts_for_them_until_it_is_readmitted(
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
    status = f"/v1/partner-programme/partners/{partner}/status"
    access = f"/v1/organisations/{partner}/clients/{rid}/access"
    billing_mode = f"/v1/organisations/{client}/partners/{rid}/billing-mode"

    await steps.call("PUT", status, steps.admin(), 200, {"status": "suspended"})

    refused = await steps.call("GET", access, steps.as_(partner), 403)
    kept = await steps.call("GET", f"/v1/organisations/{client}/relationships/{rid}", steps.as_(client), 200)
    console = await steps.call("GET", f"/v1/organisations/{partner}/console", steps.as_(partner), 200)
    not_to_partner = await steps.call(
        "PUT", billing_mode, steps.as_(client), 409, {"billing_mode": "partner_pays"}
    )
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
    assert "suspended" in refused["detail"]
    assert kept["status"] == "active"
    assert (console["partner_status"], len(console["clients"])) == ("suspended", 1)
    assert "suspended" in not_to_partner["detail"]

    await steps.call("PUT", status, steps.admin(), 200, {"status": "active"})

    await steps.call("GET", access, steps.as_(partner), 200)
    await steps.call("PUT", billing_mode, steps.as_(client), 200, {"billing_mode": "partner_pays"})


async def test_an_organisation_never_admitted_is_no_partner(
    steps: Steps, organisations: Organisations
) -> None:
    applicant = await organisations.register("Applicant Only AG", registry_number="CHE-109.322.551")
    outsider = await organisations.register("Outsider AG")
    client = await organisations.register("Careful Client AG")
    await steps.call("POST", application_path(applicant), steps.as_(applicant), 201, GOOD)

    for partner in (applicant, outsider):
        invited = await steps.call(
            "POST",
            f"/v1/organisations/{partner}/clients",
            steps.as_(partner),
            409,
            {"client_organisation_id": str(client), "access": "full"},
        )
        asked = await steps.call(
            "POST",
            f"/v1/organisations/{client}/partners",
            steps.as_(client),
            409,
            {"partner_organisation_id": str(partner), "access": "full"},
        )
        assert "not been admitted" in invited["detail"]
        assert "not been admitted" in asked["detail"]
