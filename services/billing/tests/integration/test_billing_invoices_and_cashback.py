"""Orders and renewals on real PostgreSQL and Kafka: who is invoiced, at what price, with what tax,
under gapless numbers, and the cashback a partner earns once an invoice is paid."""

import asyncio
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from core_support import Partnership, apply, invoices_of, operator, pay, registered, run_renewals
from sqlalchemy import text

from tessera_billing.config import BillingSettings
from tessera_devtools.testing import KafkaProbe, RunningService, TokenIssuer, envelope, eventually
from tessera_events.billing import CASHBACK, INVOICES, PAYER_ASSIGNMENTS, SUBSCRIPTIONS
from tessera_events.identity import Locale, OrganisationKind, OrganisationUpdated, Role
from tessera_events.partnership import (
    BillingMode,
    BillingModeChanged,
    RelationshipEnded,
    RelationshipEndReason,
)

pytestmark = pytest.mark.integration


async def test_partner_staff_ordering_under_client_pays_bills_the_client_public_price_and_earns_cashback(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    deal = await Partnership(billing, tokens).start(BillingMode.CLIENT_PAYS, cashback_bp=1000)

    subscription = await deal.order("web-hosting-pro", by_partner=True)

    assert subscription["owner_organisation_id"] == str(deal.client)
    assert subscription["ordered_by_organisation_id"] == str(deal.partner)
    assert subscription["ordered_by_user_id"] == str(deal.partner_user)
    [invoice] = await invoices_of(billing, tokens, deal.client)
    assert invoice["status"] == "issued"
    assert invoice["number"].startswith(f"CH-{datetime.now(UTC).year}-")
    assert invoice["lines"][0]["amount"] == {"amount_minor": 11900, "currency": "CHF"}
    assert invoice["subtotal"]["amount_minor"] == 11900
    assert invoice["tax_treatment"] == "swiss_vat"
    assert invoice["tax"]["amount_minor"] == 964  # 8.1 % of 119.00, rounded half up
    assert invoice["total"]["amount_minor"] == 11900 + 964
    assert "Swiss VAT 8.1 %" in invoice["tax_reason"]
    assert await invoices_of(billing, tokens, deal.partner) == []
    hidden = await billing.http.get(
        f"/v1/organisations/{deal.partner}/invoices/{invoice['invoice_id']}", headers=deal.partner_staff
    )
    assert hidden.status_code == 404

    await pay(billing, invoice["invoice_id"])
    await pay(billing, invoice["invoice_id"])  # reported twice: nothing happens twice

    statement = await billing.http.get(
        f"/v1/organisations/{deal.partner}/cashback", headers=deal.partner_staff
    )
    assert statement.status_code == 200, statement.text
    [entry] = statement.json()["entries"]
    assert entry["amount"] == {"amount_minor": 1190, "currency": "CHF"}
    assert entry["rate_bp"] == 1000
    assert statement.json()["totals"] == [{"amount_minor": 1190, "currency": "CHF"}]
    earned = await kafka.collect(
        CASHBACK.name, lambda event: str(event.data.invoice_id) == invoice["invoice_id"], count=1
    )
    assert earned[0].data.amount.amount_minor == 1190
    paid = await kafka.first(
        INVOICES.name,
        lambda event: (
            event.type.endswith("InvoicePaid.v1") and str(event.data.invoice_id) == invoice["invoice_id"]
        ),
    )
    assert paid.data.total.amount_minor == 12864


async def test_partner_pays_invoices_the_partner_at_reseller_discount_with_eu_reverse_charge(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    deal = await Partnership(billing, tokens).start(
        BillingMode.PARTNER_PAYS, discount_bp=2000, partner_country="DE", partner_vat="DE123456789"
    )

    await deal.order("web-hosting-pro", by_partner=True, currency="EUR")

    assert await invoices_of(billing, tokens, deal.client) == []
    [invoice] = await invoices_of(billing, tokens, deal.partner)
    line = invoice["lines"][0]
    assert line["list_price"]["amount_minor"] == 10900
    assert line["discount"]["amount_minor"] == 2180
    assert line["amount"]["amount_minor"] == 8720
    assert "reseller discount" in line["discount_reason"]
    assert invoice["number"].startswith("EU-")
    assert invoice["tax_treatment"] == "eu_reverse_charge"
    assert invoice["tax"]["amount_minor"] == 0
    assert invoice["total"]["amount_minor"] == 8720
    await pay(billing, invoice["invoice_id"])
    statement = await billing.http.get(
        f"/v1/organisations/{deal.partner}/cashback", headers=deal.partner_staff
    )
    assert statement.json()["entries"] == []  # the partner placed it and got the discount: no cashback


async def test_a_client_ordering_itself_under_partner_pays_earns_the_partner_cashback(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    deal = await Partnership(billing, tokens).start(
        BillingMode.PARTNER_PAYS, discount_bp=1500, cashback_bp=500
    )

    await deal.order("domain-ch", by_partner=False)

    [invoice] = await invoices_of(billing, tokens, deal.partner)
    assert invoice["subtotal"]["amount_minor"] == 1300 - 195
    await pay(billing, invoice["invoice_id"])
    statement = await billing.http.get(
        f"/v1/organisations/{deal.partner}/cashback", headers=deal.partner_staff
    )
    [entry] = statement.json()["entries"]
    assert entry["amount"]["amount_minor"] == 55  # 5 % of 11.05, rounded half up


async def test_hostings_decreasing_price_tier_stacks_under_the_reseller_discount(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    deal = await Partnership(billing, tokens).start(BillingMode.PARTNER_PAYS, discount_bp=2000)

    for _ in range(3):
        await deal.order("web-hosting-pro", by_partner=True)

    amounts = sorted(
        invoice["subtotal"]["amount_minor"] for invoice in await invoices_of(billing, tokens, deal.partner)
    )
    # 1st and 2nd at 119.00 - 20 %; the 3rd is in the 3+ tier: 119.00 - 10 % = 107.10, then - 20 %.
    assert amounts == [8568, 9520, 9520]


async def test_an_outsider_and_partner_staff_without_access_cannot_order_or_see_the_clients_products(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    deal = await Partnership(billing, tokens).start(BillingMode.CLIENT_PAYS)
    outsider = tokens.headers({uuid4(): Role.ADMINISTRATOR})

    refused = await billing.http.post(
        f"/v1/organisations/{deal.client}/subscriptions",
        json={"product_code": "mail-pro", "currency": "CHF", "relationship_id": str(deal.relationship)},
        headers=outsider,
    )
    listed = await billing.http.get(f"/v1/organisations/{deal.client}/subscriptions", headers=outsider)

    assert refused.status_code == 404
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert listed.status_code == 404
    await apply(
        billing,
        RelationshipEnded(
            relationship_id=deal.relationship,
            partner_organisation_id=deal.partner,
            client_organisation_id=deal.client,
            reason=RelationshipEndReason.STOPPED_BY_CLIENT,
            ended_by_user_id=deal.client_user,
            ended_at=datetime.now(UTC) - timedelta(seconds=1),
        ),
        "/tessera/partnership",
    )
    after_end = await billing.http.get(
        f"/v1/organisations/{deal.client}/subscriptions", headers=deal.partner_staff
    )
    assert after_end.status_code == 404


async def test_invoice_numbers_have_no_gaps_when_many_orders_come_at_once(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation = uuid4()
    member = tokens.headers({organisation: Role.MEMBER})

    async def order() -> int:
        response = await billing.http.post(
            f"/v1/organisations/{organisation}/subscriptions",
            json={"product_code": "mail-pro", "currency": "CHF"},
            headers=member,
        )
        return response.status_code

    assert await asyncio.gather(*(order() for _ in range(12))) == [201] * 12
    async with billing.runtime.database.session() as session:
        numbers = list(await session.scalars(text("SELECT number FROM invoices WHERE number LIKE 'CH-%'")))
    sequences = sorted(int(number.rsplit("-", 1)[1]) for number in numbers)
    assert sequences == list(range(1, len(sequences) + 1))


async def test_renewal_run_renews_each_period_once_and_invoices_the_payer_of_the_due_date(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    deal = await Partnership(billing, tokens).start(BillingMode.CLIENT_PAYS)
    subscription = await deal.order("web-hosting-pro", by_partner=True)
    first_due = date.fromisoformat(subscription["next_renewal_on"])
    await apply(
        billing,
        BillingModeChanged(
            relationship_id=deal.relationship,
            partner_organisation_id=deal.partner,
            client_organisation_id=deal.client,
            previous_mode=BillingMode.CLIENT_PAYS,
            billing_mode=BillingMode.PARTNER_PAYS,
            effective_at=datetime.combine(first_due + timedelta(days=1), datetime.min.time(), tzinfo=UTC),
            changed_by_user_id=deal.client_user,
        ),
        "/tessera/partnership",
    )

    first = await run_renewals(billing, tokens, first_due.isoformat())
    again = await run_renewals(billing, tokens, first_due.isoformat())
    second_due = date(first_due.year + 1, first_due.month, first_due.day)
    second = await run_renewals(billing, tokens, second_due.isoformat())

    mine = [inv for inv in first["invoices"] if inv["owner_organisation_id"] == str(deal.client)]
    assert [inv["payer_organisation_id"] for inv in mine] == [str(deal.client)]  # due before the switch
    assert not [inv for inv in again["invoices"] if inv["owner_organisation_id"] == str(deal.client)]
    [moved] = [inv for inv in second["invoices"] if inv["owner_organisation_id"] == str(deal.client)]
    assert moved["payer_organisation_id"] == str(deal.partner)
    assert moved["subtotal"]["amount_minor"] == 11900 - 2380  # now at the reseller discount
    assert moved["lines"][0]["period_start"] == second_due.isoformat()
    client_invoices = await invoices_of(billing, tokens, deal.client)
    assert len(client_invoices) == 2  # the order and the first renewal stay with the client
    renewed = await kafka.collect(
        SUBSCRIPTIONS.name,
        lambda event: (
            event.type.endswith("SubscriptionRenewed.v1")
            and str(event.data.subscription_id) == subscription["subscription_id"]
        ),
        count=2,
    )
    assert [event.data.payer_organisation_id for event in renewed] == [deal.client, deal.partner]
    reassigned = await kafka.first(
        PAYER_ASSIGNMENTS.name, lambda event: event.data.relationship_id == deal.relationship
    )
    assert reassigned.data.new_payer_tax_treatment == "swiss_vat"  # the new payer re-checked at the switch


async def test_only_operators_run_renewals(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    member = tokens.headers({uuid4(): Role.ADMINISTRATOR})

    refused = await billing.http.post("/v1/operations/renewals/run?until=2030-01-01", headers=member)
    malformed = await billing.http.post("/v1/operations/renewals/run?until=soon", headers=operator(tokens))

    assert refused.status_code == 403
    assert malformed.status_code == 422


async def test_an_invoice_pdf_prints_the_number_and_is_only_served_to_the_payer(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    deal = await Partnership(billing, tokens).start(BillingMode.CLIENT_PAYS)
    await deal.order("kchat-business", by_partner=False)
    [invoice] = await invoices_of(billing, tokens, deal.client)

    pdf = await billing.http.get(
        f"/v1/organisations/{deal.client}/invoices/{invoice['invoice_id']}/pdf", headers=deal.client_member
    )
    stranger = await billing.http.get(
        f"/v1/organisations/{deal.partner}/invoices/{invoice['invoice_id']}/pdf", headers=deal.partner_staff
    )

    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert invoice["number"] in pdf.headers["content-disposition"]
    assert stranger.status_code == 404


async def test_voiding_credits_the_payer_and_a_voided_invoice_can_no_longer_be_paid(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    deal = await Partnership(billing, tokens).start(BillingMode.CLIENT_PAYS)
    await deal.order("mail-pro", by_partner=False)
    [invoice] = await invoices_of(billing, tokens, deal.client)

    voided = await billing.http.post(
        f"/v1/operations/invoices/{invoice['invoice_id']}/void",
        json={"reason": "ordered by mistake"},
        headers=operator(tokens),
    )
    assert voided.status_code == 200, voided.text
    assert voided.json()["status"] == "void"
    assert voided.json()["number"] == invoice["number"]
    with pytest.raises(Exception, match="void"):
        await pay(billing, invoice["invoice_id"])
    again = await billing.http.post(
        f"/v1/operations/invoices/{invoice['invoice_id']}/void",
        json={"reason": "twice"},
        headers=operator(tokens),
    )
    assert again.status_code == 200
    history = await billing.http.get(
        f"/v1/organisations/{deal.client}/billing-history", headers=deal.client_member
    )
    assert [entry["kind"] for entry in history.json()["entries"]] == ["credit"]
    announced = await kafka.first(
        INVOICES.name,
        lambda event: (
            event.type.endswith("InvoiceVoided.v1") and str(event.data.invoice_id) == invoice["invoice_id"]
        ),
    )
    assert announced.data.uncollectible is False


async def test_a_payment_reported_many_times_at_once_earns_the_cashback_once(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    deal = await Partnership(billing, tokens).start(BillingMode.CLIENT_PAYS, cashback_bp=1500)
    await deal.order("ssl-certificate-ev", by_partner=True)
    [invoice] = await invoices_of(billing, tokens, deal.client)

    await asyncio.gather(*(pay(billing, invoice["invoice_id"]) for _ in range(6)))

    async with billing.runtime.database.session() as session:
        entries = list(
            await session.scalars(
                text("SELECT amount_minor FROM cashback_entries WHERE invoice_id = :id"),
                {"id": invoice["invoice_id"]},
            )
        )
    history = await billing.http.get(
        f"/v1/organisations/{deal.client}/billing-history", headers=deal.client_member
    )
    assert entries == [3735]  # 15 % of 249.00
    assert [entry["kind"] for entry in history.json()["entries"]] == ["charge"]


async def test_a_cancelled_subscription_runs_to_the_end_of_its_period_and_is_not_renewed(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    deal = await Partnership(billing, tokens).start(BillingMode.CLIENT_PAYS)
    subscription = await deal.order("wp-backup-app", by_partner=True)
    url = f"/v1/organisations/{deal.client}/subscriptions/{subscription['subscription_id']}/cancellation"

    cancelled = await billing.http.post(url, headers=deal.partner_staff)
    again = await billing.http.post(url, headers=deal.client_member)
    run = await run_renewals(billing, tokens, subscription["next_renewal_on"])

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["cancelled_at"] is not None
    assert again.json()["cancelled_at"] == cancelled.json()["cancelled_at"]
    assert run["invoices"] == []
    announced = await kafka.collect(
        SUBSCRIPTIONS.name,
        lambda event: (
            event.type.endswith("SubscriptionCancelled.v1")
            and str(event.data.subscription_id) == subscription["subscription_id"]
        ),
        count=1,
    )
    assert announced[0].data.cancelled_by_user_id == deal.partner_user
    assert announced[0].data.ends_on == date.fromisoformat(subscription["next_renewal_on"]) - timedelta(
        days=1
    )


async def test_identitys_updates_over_kafka_change_the_tax_of_the_next_invoice_not_of_issued_ones(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    organisation = uuid4()
    member = tokens.headers({organisation: Role.MEMBER})
    await kafka.publish(envelope(registered(organisation, "AT"), source="/tessera/identity"))

    async def ordered_with(reason: str) -> bool:
        response = await billing.http.post(
            f"/v1/organisations/{organisation}/subscriptions",
            json={"product_code": "mail-pro", "currency": "EUR"},
            headers=member,
        )
        assert response.status_code == 201, response.text
        invoices = await invoices_of(billing, tokens, organisation)
        return reason in invoices[0]["tax_reason"]

    await eventually(lambda: ordered_with("standard rate of AT"), what="billing knowing an Austrian company")
    [before, *_] = await invoices_of(billing, tokens, organisation)
    updated = OrganisationUpdated(
        organisation_id=organisation,
        name="Wiener Web GmbH",
        kind=OrganisationKind.COMPANY,
        country="AT",
        locale=Locale.DE,
        billing_email="billing@example.com",
        vat_number="ATU12345678",
        registry_number=None,
        changed_fields=("vat_number",),
        updated_at=datetime.now(UTC),
    )
    await kafka.publish(envelope(updated, source="/tessera/identity"))
    await eventually(lambda: ordered_with("Reverse charge"), what="billing applying the VAT number")

    invoices = await invoices_of(billing, tokens, organisation)
    assert invoices[0]["tax"]["amount_minor"] == 0
    assert "ATU12345678" in invoices[0]["tax_reason"]
    [unchanged] = [invoice for invoice in invoices if invoice["invoice_id"] == before["invoice_id"]]
    assert unchanged["tax_treatment"] == "standard_rate"  # issued before the change: it stays as it was
    assert unchanged["tax"]["amount_minor"] == 64  # 20 % of 3.20


async def test_two_renewal_runs_at_once_renew_each_period_once(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation = uuid4()
    member = tokens.headers({organisation: Role.MEMBER})
    for _ in range(3):
        response = await billing.http.post(
            f"/v1/organisations/{organisation}/subscriptions",
            json={"product_code": "mail-pro", "currency": "CHF"},
            headers=member,
        )
        assert response.status_code == 201, response.text
    three_months = (datetime.now(UTC) + timedelta(days=95)).date().isoformat()

    runs = await asyncio.gather(*(run_renewals(billing, tokens, three_months) for _ in range(3)))

    renewed = [invoice for run in runs for invoice in run["invoices"]]
    periods = [
        (invoice["lines"][0]["subscription_id"], invoice["lines"][0]["period_start"]) for invoice in renewed
    ]
    assert len(periods) == len(set(periods)) == 9  # 3 subscriptions x 3 monthly periods, each once
    assert len(await invoices_of(billing, tokens, organisation)) == 3 + 9


async def test_after_the_relationship_ends_the_client_pays_renewals_at_public_price_without_cashback(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    deal = await Partnership(billing, tokens).start(
        BillingMode.PARTNER_PAYS, discount_bp=2500, cashback_bp=1000
    )
    subscription = await deal.order("web-hosting-pro", by_partner=True)
    await apply(
        billing,
        RelationshipEnded(
            relationship_id=deal.relationship,
            partner_organisation_id=deal.partner,
            client_organisation_id=deal.client,
            reason=RelationshipEndReason.STOPPED_BY_PARTNER,
            ended_by_user_id=deal.partner_user,
            ended_at=datetime.now(UTC),
        ),
        "/tessera/partnership",
    )

    run = await run_renewals(billing, tokens, subscription["next_renewal_on"])

    [renewal] = run["invoices"]
    assert renewal["payer_organisation_id"] == str(deal.client)
    assert renewal["relationship_id"] is None
    assert renewal["subtotal"]["amount_minor"] == 11900
    [order] = await invoices_of(billing, tokens, deal.partner)  # the order's invoice stays with the partner
    assert order["subtotal"]["amount_minor"] == 8925
    await pay(billing, renewal["invoice_id"])
    statement = await billing.http.get(
        f"/v1/organisations/{deal.partner}/cashback", headers=deal.partner_staff
    )
    assert statement.json()["entries"] == []
