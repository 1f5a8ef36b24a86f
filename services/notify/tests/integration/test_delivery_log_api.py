"""GET /v1/organisations/{id}/deliveries: an organisation's members see what notify sent it."""

from uuid import uuid4

import pytest
from notify_harness import RunningNotify, event, eventually, payer_reassigned

from tessera_events.identity import Locale, Role
from tessera_events.partnership import BillingMode

pytestmark = pytest.mark.integration


async def test_members_see_the_emails_sent_to_their_organisation_without_their_bodies(
    notify: RunningNotify,
) -> None:
    issuer = await notify.trust_new_signing_key()
    partner = await notify.register_organisation("Nordlicht IT", Locale.DE, "DE")
    client = await notify.register_organisation("Atelier Rose", Locale.FR, "FR")
    change = event(payer_reassigned(partner, client, BillingMode.PARTNER_PAYS), "/tessera/billing")
    await notify.publish(change)
    await eventually(
        lambda: notify.fetch(
            "SELECT 1 FROM deliveries WHERE cause_event_id = $1 AND status = 'delivered'", change.id
        ),
        what="the e-mails to be delivered",
    )
    token = issuer.token(uuid4(), {partner.organisation_id: Role.MEMBER})

    async with notify.http() as http:
        everything = await http.get(
            f"/v1/organisations/{partner.organisation_id}/deliveries",
            headers={"Authorization": f"Bearer {token}"},
        )
        pending = await http.get(
            f"/v1/organisations/{partner.organisation_id}/deliveries",
            params={"status": "pending"},
            headers={"Authorization": f"Bearer {token}"},
        )

    assert everything.status_code == 200
    [delivery] = everything.json()
    assert delivery["recipient"] == partner.billing_email
    assert delivery["notification"] == "billing_mode_changed"
    assert delivery["cause_event_id"] == str(change.id)
    assert delivery["locale"] == "de"
    assert delivery["status"] == "delivered"
    assert delivery["attempts"] == 1
    assert "Partner zahlt" in delivery["subject"]
    assert not {"text_body", "html_body", "traceparent"} & delivery.keys()
    assert pending.status_code == 200
    assert pending.json() == []


async def test_someone_outside_the_organisation_is_told_it_does_not_exist(notify: RunningNotify) -> None:
    issuer = await notify.trust_new_signing_key()
    organisation = await notify.register_organisation("Private AG", Locale.DE, "CH")
    outsider = issuer.token(uuid4(), {uuid4(): Role.ADMINISTRATOR})

    async with notify.http() as http:
        response = await http.get(
            f"/v1/organisations/{organisation.organisation_id}/deliveries",
            headers={"Authorization": f"Bearer {outsider}"},
        )

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


async def test_the_log_needs_an_access_token_and_a_known_status(notify: RunningNotify) -> None:
    issuer = await notify.trust_new_signing_key()
    organisation_id = uuid4()
    token = issuer.token(uuid4(), {organisation_id: Role.MEMBER})

    async with notify.http() as http:
        anonymous = await http.get(f"/v1/organisations/{organisation_id}/deliveries")
        unknown_status = await http.get(
            f"/v1/organisations/{organisation_id}/deliveries",
            params={"status": "bounced"},
            headers={"Authorization": f"Bearer {token}"},
        )
        not_an_id = await http.get(
            "/v1/organisations/42/deliveries", headers={"Authorization": f"Bearer {token}"}
        )

    assert anonymous.status_code == 401
    assert unknown_status.status_code == 422
    assert not_an_id.status_code == 422
