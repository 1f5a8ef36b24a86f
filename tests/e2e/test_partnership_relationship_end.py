"""A relationship from request to end across the services, each in its own process, on real infrastructure.

The client asks a partner to manage its products, the partner accepts, the client orders a product
and lets the partner pay; then the client stops the relationship. Partnership publishes
RelationshipEnded; billing returns the client's future renewals to the client; notify e-mails both.
"""

from email.message import EmailMessage
from pathlib import Path

import pytest

from tessera_devtools.smtp_inbox import message_files, parse_message
from tessera_devtools.story import Organisation, Story
from tessera_devtools.testing import KafkaProbe
from tessera_devtools.testing import eventually as until_true
from tessera_events.partnership import RELATIONSHIPS, RelationshipEnded, RelationshipEndReason

pytestmark = pytest.mark.e2e


@pytest.fixture
async def story(infra, suite):  # type: ignore[no-untyped-def]
    driver = Story(
        {name: suite.url(name) for name in ("identity", "partnership", "billing")}, infra.kafka_bootstrap
    )
    yield driver
    await driver.close()


async def test_client_ending_the_relationship_returns_renewals_to_the_client_and_emails_both(
    infra, story: Story
) -> None:
    partner = await story.register("Ending Partner AG", "CH", "de")
    client = await story.register("Ending Client SA", "FR", "fr")
    relationship = await story.grant_full_access(client, partner)
    rid = relationship["relationship_id"]
    await story.order(client, rid, "web-hosting-pro")
    switched, _ = await story.switch_billing_mode(
        client, rid, "partner_pays", maildir=infra.maildir, expected_emails=2
    )
    assert switched.status_code == 200, switched.text
    [subscription] = await story.subscriptions(client)
    assert subscription["payer_for_next_renewal_organisation_id"] == partner.organisation_id
    before = len(message_files(infra.maildir))

    ended = await story.http.post(
        f"{story.urls['partnership']}/v1/organisations/{client.organisation_id}/relationships/{rid}/end",
        headers=client.auth,
    )

    assert ended.status_code == 200, ended.text
    assert ended.json()["end_reason"] == "stopped_by_client"
    async with KafkaProbe(infra.kafka_bootstrap) as kafka:
        event = await kafka.first(
            RELATIONSHIPS.name, lambda e: e.subject == rid and isinstance(e.data, RelationshipEnded)
        )
    assert event.data.reason is RelationshipEndReason.STOPPED_BY_CLIENT

    async def client_pays_again() -> str:
        [found] = await story.subscriptions(client)
        return str(found["payer_for_next_renewal_organisation_id"])

    payer = await until_true(
        client_pays_again, timeout=60, until=lambda found: found == client.organisation_id, what="client pays"
    )
    assert payer == client.organisation_id
    told = await until_true(
        lambda: told_of_the_end(infra.maildir, before, (partner, client)),
        timeout=60,
        what="both sides to be e-mailed about the end",
    )
    assert set(told) == {partner.organisation_id, client.organisation_id}


def addresses_of(organisation: Organisation) -> set[str]:
    """Where notify writes to an organisation: its billing address or its legal representative."""
    return {organisation.billing_email, organisation.billing_email.removeprefix("billing-")}


async def told_of_the_end(
    maildir: Path, before: int, organisations: tuple[Organisation, ...]
) -> dict[str, EmailMessage] | None:
    """For each organisation, a message after the first ``before`` with a subject it never received
    before (the inbox is shared: earlier notifications of this story and other tests' are passed over)."""
    files = message_files(maildir)
    owner = {address: o.organisation_id for o in organisations for address in addresses_of(o)}
    seen: dict[str, set[str]] = {o.organisation_id: set() for o in organisations}
    for message in map(parse_message, files[:before]):
        if message["To"] in owner:
            seen[owner[message["To"]]].add(str(message["Subject"]))
    found = {
        owner[message["To"]]: message
        for message in map(parse_message, files[before:])
        if message["To"] in owner and str(message["Subject"]) not in seen[owner[message["To"]]]
    }
    return found if len(found) == len(organisations) else None
