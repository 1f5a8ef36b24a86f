"""The headline story across every service, each in its own process, on real infrastructure.

A client switches its partnership's billing mode; billing moves the client's future renewals to
the partner; notify e-mails both, each in its own language; one trace covers the whole path.
"""

import asyncio
import json
import subprocess

import httpx
import pytest

from tessera_devtools.services import console_script
from tessera_devtools.smtp_inbox import read_inbox
from tessera_devtools.story import Organisation, Story
from tessera_devtools.testing import KafkaProbe
from tessera_devtools.testing import eventually as until_true
from tessera_devtools.zipkin import read_trace, service_of, wait_for_trace
from tessera_events.billing import PAYER_ASSIGNMENTS, PayerReassigned

pytestmark = pytest.mark.e2e


@pytest.fixture
async def story(infra, suite):  # type: ignore[no-untyped-def]
    driver = Story(
        {name: suite.url(name) for name in ("identity", "partnership", "billing")}, infra.kafka_bootstrap
    )
    yield driver
    await driver.close()


async def partner_and_client(story: Story) -> tuple[Organisation, Organisation, str]:
    partner = await story.register("Alpenweb Partner AG", "CH", "de")
    client = await story.register("Boulangerie Dupont SA", "FR", "fr")
    relationship = await story.grant_full_access(client, partner)
    return partner, client, relationship["relationship_id"]


async def test_client_switching_to_partner_pays_moves_renewals_to_partner_and_emails_both_in_one_trace(
    infra, story: Story
) -> None:
    partner, client, relationship_id = await partner_and_client(story)
    ordered = await story.order(client, relationship_id, "web-hosting-pro")
    assert ordered["payer_for_next_renewal_organisation_id"] == client.organisation_id

    response, switch = await story.switch_billing_mode(
        client, relationship_id, "partner_pays", maildir=infra.maildir, expected_emails=2
    )

    assert response.status_code == 200, response.text
    assert response.json()["billing_mode"] == "partner_pays"
    [subscription] = await story.subscriptions(client)
    assert subscription["owner_organisation_id"] == client.organisation_id
    assert subscription["payer_for_next_renewal_organisation_id"] == partner.organisation_id
    emails = {message["To"]: message for message in switch.emails}
    assert set(emails) == {partner.billing_email, client.billing_email}
    assert "Web Hosting Pro" in emails[partner.billing_email].get_body(("plain",)).get_content()
    assert emails[partner.billing_email]["Content-Language"] == "de"
    assert "„Partner zahlt“ geändert" in emails[partner.billing_email]["Subject"]
    assert emails[client.billing_email]["Content-Language"] == "fr"
    assert [event.event_type for event in switch.events if event.topic != "tessera.notify.deliveries.v1"] == [
        "tessera.partnership.BillingModeChanged.v1",
        "tessera.billing.PayerReassigned.v1",
    ]
    spans = await asyncio.to_thread(
        wait_for_trace, infra.zipkin_url, switch.trace_id, {"partnership", "billing", "notify"}, 30
    )
    assert {"partnership", "billing", "notify"} <= {service_of(span) for span in spans}

    async def sent_within_the_trace() -> bool:
        spans = await asyncio.to_thread(read_trace, infra.zipkin_url, switch.trace_id)
        return any(span.get("name") == "smtp send" for span in spans)

    # The SMTP span ends after the e-mail is in the inbox, so it may be exported a moment later.
    await until_true(sent_within_the_trace, 30, what="the SMTP span in the switch's trace")


async def test_a_redelivered_payer_reassignment_sends_no_second_email(infra, story: Story) -> None:
    _, client, relationship_id = await partner_and_client(story)
    _, switch = await story.switch_billing_mode(
        client, relationship_id, "partner_pays", maildir=infra.maildir, expected_emails=2
    )
    async with KafkaProbe(infra.kafka_bootstrap) as kafka:
        reassigned = await kafka.first(
            PAYER_ASSIGNMENTS.name,
            lambda event: (
                isinstance(event.data, PayerReassigned) and str(event.data.relationship_id) == relationship_id
            ),
        )
        await kafka.publish(reassigned)
    # The next switch of the same client is keyed alike, so notify reads it after the redelivery:
    # once its two e-mails are in, the redelivered record has been consumed too.
    _, marker = await story.switch_billing_mode(
        client, relationship_id, "client_pays", maildir=infra.maildir, expected_emails=2
    )

    assert len(marker.emails) == 2
    assert {message["Subject"] for message in marker.emails}.isdisjoint(
        {message["Subject"] for message in switch.emails}
    )


async def test_the_partner_cannot_change_who_pays(story: Story, infra) -> None:
    partner, client, relationship_id = await partner_and_client(story)

    response, _ = await story.switch_billing_mode(
        client,
        relationship_id,
        "partner_pays",
        maildir=infra.maildir,
        expected_emails=0,
        as_organisation=partner,
    )

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert "only the client" in response.json()["detail"]


async def test_restricted_access_cannot_switch_to_partner_pays(story: Story, infra) -> None:
    partner = await story.register("Restricted Partner GmbH", "DE", "de")
    client = await story.register("Ristorante Bellavista Srl", "IT", "it")
    relationship = await story.grant_access(
        client, partner, {"access": "restricted", "product_codes": ["web-hosting-pro"]}
    )

    response, _ = await story.switch_billing_mode(
        client, relationship["relationship_id"], "partner_pays", maildir=infra.maildir, expected_emails=0
    )

    assert response.status_code == 409
    assert response.json()["title"] == "Conflict"


@pytest.mark.parametrize("service", ["identity", "partnership", "billing", "wallet", "notify"])
async def test_every_service_is_ready_and_exposes_the_operational_metrics(suite, service: str) -> None:  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(base_url=suite.url(service), timeout=10) as http:
        ready = await http.get("/readyz")
        metrics = (await http.get("/metrics")).text
        asyncapi = await http.get("/asyncapi.json")

    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "kafka": "ok", "migrations": "ok"}
    for name in (
        "tessera_outbox_backlog",
        "tessera_consumer_lag",
        "tessera_dead_letters_total",
        "tessera_http_request_duration_seconds_bucket",
    ):
        assert name in metrics
    assert asyncapi.json()["asyncapi"] == "3.0.0"


async def test_billing_killed_mid_story_catches_up_after_restart_and_the_partner_is_still_told(
    infra, suite, story: Story
) -> None:  # type: ignore[no-untyped-def]
    partner, client, relationship_id = await partner_and_client(story)
    await story.order(client, relationship_id, "web-hosting-pro")
    parties = {partner.billing_email, client.billing_email}

    def told_of_the_switch() -> set[str]:
        notices = [
            message
            for message in read_inbox(infra.maildir)
            if message["X-Tessera-Notification"] == "billing_mode_changed"
        ]
        return {message["To"] for message in notices} & parties

    suite.kill("billing")  # SIGKILL: no shutdown, no last commit
    try:
        response = await story.put_billing_mode(client, relationship_id, "partner_pays", client.auth)
        assert response.status_code == 200
        await asyncio.sleep(3)
        assert told_of_the_switch() == set()  # nobody is told before billing acts
    finally:
        await asyncio.to_thread(suite.restart, "billing")

    async def both_told() -> bool:
        return told_of_the_switch() == parties

    await until_true(both_told, 60, what="e-mails to both the partner and the client")
    [subscription] = await story.subscriptions(client)
    assert subscription["payer_for_next_renewal_organisation_id"] == partner.organisation_id


async def test_every_log_line_is_json_and_the_story_can_be_followed_by_its_trace_id(
    infra, suite, story: Story
) -> None:  # type: ignore[no-untyped-def]
    _, client, relationship_id = await partner_and_client(story)
    _, switch = await story.switch_billing_mode(
        client, relationship_id, "partner_pays", maildir=infra.maildir, expected_emails=2
    )
    await asyncio.sleep(0.5)  # the last lines of the e-mail sends reach the log files

    lines_with_trace: dict[str, list[str]] = {}
    for service in ("identity", "partnership", "billing", "wallet", "notify"):
        lines = [
            line
            for line in suite.log_path(service).read_text().splitlines()
            if line and not line.startswith("$ ")  # the command line the dev tooling writes first
        ]
        entries = [json.loads(line) for line in lines]
        assert all("event" in entry and "level" in entry for entry in entries), service
        lines_with_trace[service] = [e["event"] for e in entries if e.get("trace_id") == switch.trace_id]

    assert "request handled" in lines_with_trace["partnership"]
    assert "event handled" in lines_with_trace["billing"]
    assert "event handled" in lines_with_trace["notify"]


async def test_an_operator_lists_a_service_s_dead_letters_from_its_command_line(suite) -> None:  # type: ignore[no-untyped-def]
    listed = await asyncio.to_thread(
        subprocess.run,
        [*console_script("notify"), "dead-letters"],
        env=suite.env("notify"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    refused = await asyncio.to_thread(
        subprocess.run,
        [*console_script("notify"), "dead-letters", "--replay", "999999"],
        env=suite.env("notify"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert listed.returncode == 0, listed.stderr
    assert "dead letter(s) of consumer group notify" in listed.stdout
    assert refused.returncode != 0
    assert "no dead letter at offset(s) [999999]" in refused.stderr
