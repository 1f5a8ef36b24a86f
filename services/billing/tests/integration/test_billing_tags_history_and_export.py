"""Product tags, the billing history with its cursor, subscriptions by kind, and the partner's CSV export."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from core_support import Partnership, apply, invoices_of, pay

from tessera_billing.config import BillingSettings
from tessera_devtools.testing import RunningService, TokenIssuer
from tessera_events.identity import Role
from tessera_events.partnership import Access, AccessChanged, BillingMode

pytestmark = pytest.mark.integration


async def test_tags_are_created_put_on_products_filtered_renamed_and_deleted_from_every_product(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    deal = await Partnership(billing, tokens).start(BillingMode.CLIENT_PAYS)
    hosting = await deal.order("web-hosting-pro", by_partner=True)
    await deal.order("mail-pro", by_partner=False)
    base = f"/v1/organisations/{deal.client}"

    created = await billing.http.post(
        f"{base}/tags", json={"name": "Shop", "colour": "#ff8800"}, headers=deal.client_member
    )
    assert created.status_code == 201, created.text
    tag = created.json()
    duplicate = await billing.http.post(
        f"{base}/tags", json={"name": "shop", "colour": "#000000"}, headers=deal.client_member
    )
    bad_colour = await billing.http.post(
        f"{base}/tags", json={"name": "Red", "colour": "red"}, headers=deal.client_member
    )
    assert duplicate.status_code == 409
    assert bad_colour.status_code == 422
    tagged = await billing.http.put(
        f"{base}/subscriptions/{hosting['subscription_id']}/tags/{tag['tag_id']}", headers=deal.client_member
    )
    assert tagged.status_code == 204

    filtered = await billing.http.get(
        f"{base}/subscriptions?tag_id={tag['tag_id']}", headers=deal.partner_staff
    )
    assert filtered.status_code == 200, filtered.text
    assert [found["subscription_id"] for found in filtered.json()] == [hosting["subscription_id"]]
    assert filtered.json()[0]["tags"] == [tag]  # partner staff with access see the client's tags

    renamed = await billing.http.patch(
        f"{base}/tags/{tag['tag_id']}",
        json={"name": "Web shop", "colour": "#0088ff"},
        headers=deal.client_member,
    )
    assert renamed.json() == {"tag_id": tag["tag_id"], "name": "Web shop", "colour": "#0088ff"}
    listed = await billing.http.get(f"{base}/subscriptions", headers=deal.client_member)
    assert [found["tags"] for found in listed.json()] == [[renamed.json()], []]

    deleted = await billing.http.delete(f"{base}/tags/{tag['tag_id']}", headers=deal.client_member)
    assert deleted.status_code == 204
    listed = await billing.http.get(f"{base}/subscriptions", headers=deal.client_member)
    assert [found["tags"] for found in listed.json()] == [[], []]
    outsider = await billing.http.get(f"{base}/tags", headers=tokens.headers({uuid4(): Role.MEMBER}))
    assert outsider.status_code == 404


async def test_partner_staff_with_restricted_access_see_only_the_products_granted_and_the_client_pays(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    deal = await Partnership(billing, tokens).start(BillingMode.PARTNER_PAYS)
    await deal.order("web-hosting-pro", by_partner=True)
    await deal.order("mail-pro", by_partner=False)
    await apply(
        billing,
        AccessChanged(
            relationship_id=deal.relationship,
            partner_organisation_id=deal.partner,
            client_organisation_id=deal.client,
            access=Access.RESTRICTED,
            product_codes=("mail-pro",),
            access_ends_at=None,
            billing_mode=BillingMode.CLIENT_PAYS,
            changed_by_user_id=deal.client_user,
            changed_at=datetime.now(UTC),
        ),
        "/tessera/partnership",
    )

    seen = await billing.http.get(
        f"/v1/organisations/{deal.client}/subscriptions", headers=deal.partner_staff
    )
    refused = await billing.http.post(
        f"/v1/organisations/{deal.client}/subscriptions",
        json={
            "product_code": "web-hosting-pro",
            "currency": "CHF",
            "relationship_id": str(deal.relationship),
        },
        headers=deal.partner_staff,
    )

    assert [found["product_code"] for found in seen.json()] == ["mail-pro"]
    assert {found["payer_for_next_renewal_organisation_id"] for found in seen.json()} == {str(deal.client)}
    assert refused.status_code == 404


async def test_subscriptions_are_listed_by_kind(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation = uuid4()
    member = tokens.headers({organisation: Role.MEMBER})
    for product in ("kchat-business", "ssl-certificate-ev", "wp-backup-app", "web-hosting-pro"):
        response = await billing.http.post(
            f"/v1/organisations/{organisation}/subscriptions",
            json={"product_code": product, "currency": "EUR"},
            headers=member,
        )
        assert response.status_code == 201, response.text

    kinds = {}
    for kind in ("saas", "resale", "marketplace_app"):
        listed = await billing.http.get(
            f"/v1/organisations/{organisation}/subscriptions?kind={kind}", headers=member
        )
        kinds[kind] = [found["product_code"] for found in listed.json()]
    unknown = await billing.http.get(
        f"/v1/organisations/{organisation}/subscriptions?kind=car", headers=member
    )

    assert kinds == {
        "saas": ["kchat-business"],
        "resale": ["ssl-certificate-ev"],
        "marketplace_app": ["wp-backup-app"],
    }
    assert unknown.status_code == 422


async def test_billing_history_pages_newest_first_with_a_cursor_and_filters(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation = uuid4()
    member = tokens.headers({organisation: Role.MEMBER})
    for _ in range(5):
        await billing.http.post(
            f"/v1/organisations/{organisation}/subscriptions",
            json={"product_code": "mail-pro", "currency": "CHF"},
            headers=member,
        )
    for invoice in await invoices_of(billing, tokens, organisation):
        await pay(billing, invoice["invoice_id"])

    seen, cursor, pages = [], None, 0
    while True:
        query = "?limit=2&kind=charge" + (f"&cursor={cursor}" if cursor else "")
        page = await billing.http.get(
            f"/v1/organisations/{organisation}/billing-history{query}", headers=member
        )
        assert page.status_code == 200, page.text
        seen += page.json()["entries"]
        pages += 1
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    credits = await billing.http.get(
        f"/v1/organisations/{organisation}/billing-history?kind=credit", headers=member
    )
    bad_cursor = await billing.http.get(
        f"/v1/organisations/{organisation}/billing-history?cursor=nope", headers=member
    )
    stranger = await billing.http.get(
        f"/v1/organisations/{organisation}/billing-history", headers=tokens.headers({uuid4(): Role.MEMBER})
    )

    assert pages == 3
    assert len(seen) == 5
    assert len({entry["entry_id"] for entry in seen}) == 5
    assert [entry["occurred_at"] for entry in seen] == sorted(
        (entry["occurred_at"] for entry in seen), reverse=True
    )
    assert all(entry["amount"] == {"amount_minor": 378, "currency": "CHF"} for entry in seen)  # 3.50 + 8.1 %
    assert credits.json()["entries"] == []
    assert bad_cursor.status_code == 422
    assert stranger.status_code == 404


async def test_a_partner_that_pays_exports_its_clients_billing_as_csv_to_re_invoice_it(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    deal = await Partnership(billing, tokens).start(BillingMode.PARTNER_PAYS, discount_bp=2000)
    await deal.order("web-hosting-pro", by_partner=True)
    await deal.order("domain-ch", by_partner=True)

    export = await billing.http.get(
        f"/v1/organisations/{deal.partner}/clients/{deal.client}/billing-export.csv",
        headers=deal.partner_staff,
    )
    by_client = await billing.http.get(
        f"/v1/organisations/{deal.partner}/clients/{deal.client}/billing-export.csv",
        headers=deal.client_member,
    )

    assert export.status_code == 200, export.text
    assert export.headers["content-type"].startswith("text/csv")
    header, *rows = export.text.strip().split("\n")
    assert header.startswith("invoice_number,issued_at,status,product_code")
    assert sorted(row.split(",")[3] for row in rows) == ["domain-ch", "web-hosting-pro"]
    assert any(",119.00,23.80,95.20," in row for row in rows)
    assert by_client.status_code == 404
