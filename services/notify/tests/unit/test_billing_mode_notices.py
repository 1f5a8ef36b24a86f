"""Who hears about a change of billing mode, and what each party is told."""

from datetime import UTC, datetime
from uuid import uuid4

from tessera_notify.domain.billing_mode import NOTIFICATION, BillingMode, BillingModeChange
from tessera_notify.domain.notices import Recipient


def recipient(name: str) -> Recipient:
    return Recipient(uuid4(), name, f"{name.lower()}@example.org", "en", "CH")


def test_partner_and_client_each_get_one_notice_naming_the_other_party() -> None:
    partner, client = recipient("Partner"), recipient("Client")
    change = BillingModeChange(uuid4(), partner, client, BillingMode.PARTNER_PAYS, datetime.now(UTC), ())

    to_partner, to_client = change.notices()

    assert (to_partner.recipient, to_client.recipient) == (partner, client)
    assert {to_partner.notification, to_client.notification} == {NOTIFICATION}
    assert (to_partner.facts["role"], to_partner.facts["other_party_name"]) == ("partner", "Client")
    assert (to_client.facts["role"], to_client.facts["other_party_name"]) == ("client", "Partner")


def test_the_payer_named_follows_the_new_billing_mode() -> None:
    partner, client = recipient("Partner"), recipient("Client")
    now = datetime.now(UTC)

    assert BillingModeChange(uuid4(), partner, client, BillingMode.PARTNER_PAYS, now, ()).payer == partner
    assert BillingModeChange(uuid4(), partner, client, BillingMode.CLIENT_PAYS, now, ()).payer == client
