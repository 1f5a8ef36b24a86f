"""GET /v1/organisations/{id}/deliveries: an organisation's members see what notify sent it."""

from uuid import uuid4

import pytest
from notify_harness import BILLING, RunningNotify, payer_reassigned

from tessera_devtools.testing import envelope, eventually
from tessera_events.identity import Locale, Role
from tessera_events.partnership import BillingMode

pytestmark = pytest.mark.integration


async def test_members_see_the_emails_sent_to_their_organisation_without_their_bodies(
    notify: RunningNotify,
) -> None:
    issuer = await notify.trust_new_signing_key()
    partner = await notify.register_organisation("Nordlicht IT", Locale.DE, "DE")
    client = await notify.register_organisation("Atelier Rose", Locale.FR, "FR")
    change = envelope(payer_reassigned(partner, client, BillingMode.PARTNER_PAYS), source=BILLING)
    await notify.kafka.publish(change)
    await eventually(
        lambda: notify.fetch(
            "SELECT 1 FROM deliveries WHERE cause_event_id = $1 AND status = 'delivered'", change.id
        ),
        what="the e-mails to be delivered",
    )
    member = issuer.headers({partner.organisation_id: Role.MEMBER})

    everything = await notify.http.get(
        f"/v1/organisations/{partner.organisation_id}/deliveries", headers=member
    )
    pending = await notify.http.get(
        f"/v1/organisations/{partner.organisation_id}/deliveries",
        params={"status": "pending"},
        headers=member,
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
    outsider = issuer.headers({uuid4(): Role.ADMINISTRATOR})

    response = await notify.http.get(
        f"/v1/organisations/{organisation.organisation_id}/deliveries", headers=outsider
    )

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


async def test_the_log_needs_an_access_token_and_a_known_status(notify: RunningNotify) -> None:
    issuer = await notify.trust_new_signing_key()
    organisation_id = uuid4()
    member = issuer.headers({organisation_id: Role.MEMBER})

    anonymous = await notify.http.get(f"/v1/organisations/{organisation_id}/deliveries")
    unknown_status = await notify.http.get(
        f"/v1/organisations/{organisation_id}/deliveries", params={"status": "bounced"}, headers=member
    )
    not_an_id = await notify.http.get("/v1/organisations/42/deliveries", headers=member)

    assert anonymous.status_code == 401
    assert unknown_status.status_code == 422
    assert not_an_id.status_code == 422
