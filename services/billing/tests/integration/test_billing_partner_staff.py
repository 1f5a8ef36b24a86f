"""A partner acts for its client in billing only through its managers and the staff the client's
relationship lists, and only while the partner stands in the partner programme."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from core_support import Partnership, apply

from tessera_billing.config import BillingSettings
from tessera_billing.domain.partner_limits import PartnerOrderLimits
from tessera_billing.main import define
from tessera_devtools.testing import RunningService, TokenIssuer, running_service
from tessera_events.identity import Role
from tessera_events.partnership import BillingMode, PartnerStatus, PartnerStatusChanged

pytestmark = pytest.mark.integration


async def test_a_partner_member_not_on_the_client_s_staff_list_neither_sees_nor_orders_its_products(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    partnership = await Partnership(billing, tokens).start(BillingMode.CLIENT_PAYS)
    outsider = tokens.headers({partnership.partner: Role.MEMBER}, user_id=uuid4())
    path = f"/v1/organisations/{partnership.client}/subscriptions"
    order = {
        "product_code": "web-hosting-pro",
        "currency": "CHF",
        "relationship_id": str(partnership.relationship),
    }

    listed = await billing.http.get(path, headers=outsider)
    ordered = await billing.http.post(path, json=order, headers=outsider)
    by_staff = await billing.http.get(path, headers=partnership.partner_staff)

    assert listed.status_code == 404
    assert ordered.status_code == 404
    assert by_staff.status_code == 200


async def test_the_partner_s_managers_act_for_the_client_without_being_listed(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    partnership = await Partnership(billing, tokens).start(BillingMode.PARTNER_PAYS)
    await partnership.name_staff()
    manager = tokens.headers({partnership.partner: Role.ADMINISTRATOR}, user_id=uuid4())

    listed = await billing.http.get(f"/v1/organisations/{partnership.client}/subscriptions", headers=manager)
    former_staff = await billing.http.get(
        f"/v1/organisations/{partnership.client}/subscriptions", headers=partnership.partner_staff
    )

    assert listed.status_code == 200
    assert former_staff.status_code == 404


async def test_a_suspended_partner_acts_for_no_client_until_readmitted(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    partnership = await Partnership(billing, tokens).start(BillingMode.CLIENT_PAYS)
    path = f"/v1/organisations/{partnership.client}/subscriptions"

    async def status(value: PartnerStatus) -> None:
        changed = PartnerStatusChanged(
            partner_organisation_id=partnership.partner,
            status=value,
            previous_status=None,
            changed_at=datetime.now(UTC),
        )
        await apply(billing, changed, "/tessera/partnership")

    await status(PartnerStatus.SUSPENDED)
    suspended = await billing.http.get(path, headers=partnership.partner_staff)
    await status(PartnerStatus.ACTIVE)
    readmitted = await billing.http.get(path, headers=partnership.partner_staff)

    assert suspended.status_code == 404
    assert readmitted.status_code == 200


async def test_only_the_client_s_staff_export_its_billing(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    partnership = await Partnership(billing, tokens).start(BillingMode.PARTNER_PAYS)
    path = f"/v1/organisations/{partnership.partner}/clients/{partnership.client}/billing-export.csv"

    by_staff = await billing.http.get(path, headers=partnership.partner_staff)
    by_other = await billing.http.get(path, headers=tokens.headers({partnership.partner: Role.MEMBER}))

    assert by_staff.status_code == 200
    assert by_other.status_code == 404


async def test_a_partner_s_orders_on_its_client_s_bill_stop_at_the_daily_limit(
    billing_settings: BillingSettings, tokens: TokenIssuer
) -> None:
    # An EV certificate costs CHF 269.17 with Swiss VAT: three fit in 900.00 a day, a fourth does not.
    limited = billing_settings.model_copy(update={"partner_order_daily_max_minor": 90_000})
    async with running_service(define, limited) as billing:
        partnership = await Partnership(billing, tokens).start(BillingMode.CLIENT_PAYS)
        path = f"/v1/organisations/{partnership.client}/subscriptions"
        order = {
            "product_code": "ssl-certificate-ev",
            "currency": "CHF",
            "relationship_id": str(partnership.relationship),
        }

        placed = [
            await billing.http.post(path, json=order, headers=partnership.partner_staff) for _ in range(4)
        ]
        by_the_client = await billing.http.post(path, json=order, headers=partnership.client_member)

    assert [response.status_code for response in placed] == [201, 201, 201, 403]
    assert "a day" in placed[3].json()["detail"]
    assert by_the_client.status_code == 201


def test_one_partner_order_may_not_exceed_the_per_order_limit() -> None:
    limits = PartnerOrderLimits(per_order_minor=10_000, per_day_minor=50_000)

    assert limits.refusal(10_000, 0) is None
    assert limits.refusal(10_001, 0) is not None
    assert limits.refusal(10_000, 40_001) is not None
