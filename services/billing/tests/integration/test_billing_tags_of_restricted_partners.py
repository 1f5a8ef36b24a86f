"""A partner restricted to some of a client's products sees only the tags on those products."""

from uuid import uuid4

import pytest
from core_support import Partnership

from tessera_billing.config import BillingSettings
from tessera_devtools.testing import RunningService, TokenIssuer
from tessera_events.identity import Role
from tessera_events.partnership import Access, BillingMode

pytestmark = pytest.mark.integration


async def test_restricted_partner_staff_see_the_tags_of_the_products_they_manage_only(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    deal = await Partnership(billing, tokens).start(
        BillingMode.CLIENT_PAYS, access=Access.RESTRICTED, product_codes=("mail-pro",)
    )
    mail = await deal.order("mail-pro", by_partner=False)
    hosting = await deal.order("web-hosting-pro", by_partner=False)
    base = f"/v1/organisations/{deal.client}"

    async def tag(name: str, subscription: dict[str, str] | None) -> dict[str, str]:
        created = await billing.http.post(
            f"{base}/tags", json={"name": name, "colour": "#336699"}, headers=deal.client_member
        )
        assert created.status_code == 201, created.text
        if subscription is not None:
            path = f"{base}/subscriptions/{subscription['subscription_id']}/tags/{created.json()['tag_id']}"
            assert (await billing.http.put(path, headers=deal.client_member)).status_code == 204
        made: dict[str, str] = created.json()
        return made

    newsletter = await tag("Newsletter", mail)
    await tag("Merger plans", hosting)
    await tag("Unused", None)

    as_partner = await billing.http.get(f"{base}/tags", headers=deal.partner_staff)
    as_member = await billing.http.get(f"{base}/tags", headers=deal.client_member)
    as_outsider = await billing.http.get(f"{base}/tags", headers=tokens.headers({uuid4(): Role.MEMBER}))

    assert as_partner.status_code == 200, as_partner.text
    assert as_partner.json() == [newsletter]
    assert [found["name"] for found in as_member.json()] == ["Merger plans", "Newsletter", "Unused"]
    assert as_outsider.status_code == 404
