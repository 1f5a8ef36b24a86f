"""Partner and client hear about a change of who pays: once each, in their language, whatever happens."""

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from notify_harness import BILLING, RunningNotify, SmtpInbox, payer_reassigned

from tessera_devtools.testing import envelope, eventually
from tessera_events.identity import Locale
from tessera_events.partnership import BillingMode

pytestmark = pytest.mark.integration


def body(message: object) -> str:
    """The plain-text part of a received message."""
    from email.message import EmailMessage

    assert isinstance(message, EmailMessage)
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    text: str = part.get_content()
    return text.replace("\u00a0", " ")


async def test_partner_is_emailed_in_its_language_when_client_switches_to_partner_pays(
    notify: RunningNotify, smtp_inbox: SmtpInbox
) -> None:
    partner = await notify.register_organisation("Alpen Web GmbH", Locale.DE, "CH")
    client = await notify.register_organisation("Boulangerie Dupont", Locale.FR, "CH")
    change = envelope(payer_reassigned(partner, client, BillingMode.PARTNER_PAYS), source=BILLING)

    await notify.kafka.publish(change)

    await eventually(
        lambda: asyncio.sleep(
            0, smtp_inbox.to(partner.billing_email) and smtp_inbox.to(client.billing_email)
        ),
        what="both e-mails",
    )
    [to_partner] = smtp_inbox.to(partner.billing_email)
    [to_client] = smtp_inbox.to(client.billing_email)
    assert to_partner["Content-Language"] == "de"
    assert "Partner zahlt" in to_partner["Subject"]
    assert "Ihr Kunde Boulangerie Dupont" in body(to_partner)
    assert "CHF 119.00" in body(to_partner)
    assert to_client["Content-Language"] == "fr"
    assert "le partenaire paie" in to_client["Subject"]
    assert "Alpen Web GmbH" in body(to_client)
    deliveries = await eventually(
        lambda: notify.fetch(
            "SELECT id, status, attempts FROM deliveries WHERE cause_event_id = $1 AND status = 'delivered'",
            change.id,
        ),
        what="both deliveries to be marked delivered",
        until=lambda rows: len(rows) == 2,
    )
    assert {f"<{row['id']}@tessera.invalid>" for row in deliveries} == {
        to_partner["Message-ID"],
        to_client["Message-ID"],
    }
    assert [row["attempts"] for row in deliveries] == [1, 1]
    published = await eventually(
        lambda: notify.fetch(
            "SELECT event_type FROM tessera_outbox WHERE event_type = 'tessera.notify.EmailDelivered.v1' "
            "AND published_at IS NOT NULL AND record_key = ANY($1::text[])",
            [str(row["id"]) for row in deliveries],
        ),
        what="EmailDelivered to be published for both",
        until=lambda rows: len(rows) == 2,
    )
    assert {row["event_type"] for row in published} == {"tessera.notify.EmailDelivered.v1"}


async def test_a_replayed_billing_event_sends_no_second_email(
    notify: RunningNotify, smtp_inbox: SmtpInbox
) -> None:
    partner = await notify.register_organisation("Pixel Partners Ltd", Locale.EN, "GB")
    client = await notify.register_organisation("Ristorante Sole", Locale.IT, "IT")
    change = envelope(payer_reassigned(partner, client, BillingMode.PARTNER_PAYS), source=BILLING)
    await notify.kafka.publish(change)
    await eventually(
        lambda: asyncio.sleep(
            0, smtp_inbox.to(partner.billing_email) and smtp_inbox.to(client.billing_email)
        ),
        what="both e-mails",
    )

    await notify.kafka.publish(change)
    # Same client, so the same partition: once this marker's e-mails are in, the replay was read.
    marker = envelope(payer_reassigned(partner, client, BillingMode.CLIENT_PAYS), source=BILLING)
    await notify.kafka.publish(marker)
    await eventually(
        lambda: asyncio.sleep(
            0,
            len(smtp_inbox.to(client.billing_email)) >= 2 and len(smtp_inbox.to(partner.billing_email)) >= 2,
        ),
        what="the marker's e-mails",
    )

    assert len(smtp_inbox.to(partner.billing_email)) == 2
    assert len(smtp_inbox.to(client.billing_email)) == 2
    assert "paga il partner" in smtp_inbox.to(client.billing_email)[0]["Subject"]
    assert "paga il partner" not in smtp_inbox.to(client.billing_email)[1]["Subject"]
    assert len(await notify.fetch("SELECT 1 FROM deliveries WHERE cause_event_id = $1", change.id)) == 2


async def test_an_email_the_server_defers_once_is_retried_and_delivered_once(
    notify: RunningNotify, smtp_inbox: SmtpInbox
) -> None:
    partner = await notify.register_organisation("Rhein Hosting AG", Locale.DE, "DE")
    client = await notify.register_organisation("Estudio Sol", Locale.ES, "ES")
    smtp_inbox.busy_once[partner.billing_email] = "451 4.3.0 mailbox busy, try again later"
    change = envelope(payer_reassigned(partner, client, BillingMode.CLIENT_PAYS), source=BILLING)

    await notify.kafka.publish(change)

    await eventually(
        lambda: asyncio.sleep(0, smtp_inbox.to(partner.billing_email)), what="the retried e-mail"
    )
    # Settled rows are never sent again: once both are delivered, the inbox holds all there will be.
    await eventually(
        lambda: notify.count(
            "SELECT 1 FROM deliveries WHERE cause_event_id = $1 AND status = 'delivered'", change.id
        ),
        what="both deliveries to be marked delivered",
        until=lambda delivered: delivered == 2,
    )
    assert len(smtp_inbox.to(partner.billing_email)) == 1
    assert len(smtp_inbox.to(client.billing_email)) == 1
    assert "paga el cliente" in smtp_inbox.to(client.billing_email)[0]["Subject"]
    [retried] = await notify.fetch(
        "SELECT status, attempts, last_error FROM deliveries WHERE recipient = $1", partner.billing_email
    )
    assert retried["status"] == "delivered"
    assert retried["attempts"] == 2
    assert retried["last_error"].startswith("451")


async def test_an_address_the_server_refuses_is_marked_failed_without_retrying(
    notify: RunningNotify, smtp_inbox: SmtpInbox
) -> None:
    partner = await notify.register_organisation("Lac Léman Digital", Locale.FR, "CH")
    client = await notify.register_organisation("Gone Ltd", Locale.EN, "IE")
    smtp_inbox.unknown.add(client.billing_email)
    change = envelope(payer_reassigned(partner, client, BillingMode.PARTNER_PAYS), source=BILLING)

    await notify.kafka.publish(change)

    [failed] = await eventually(
        lambda: notify.fetch(
            "SELECT id, status, attempts, last_error FROM deliveries "
            "WHERE recipient = $1 AND status = 'failed'",
            client.billing_email,
        ),
        what="the refused delivery to be marked failed",
    )
    assert failed["attempts"] == 1
    assert failed["last_error"].startswith("550")
    await eventually(
        lambda: notify.fetch(
            "SELECT 1 FROM tessera_outbox "
            "WHERE event_type = 'tessera.notify.EmailFailed.v1' AND record_key = $1",
            str(failed["id"]),
        ),
        what="EmailFailed in the outbox",
    )
    assert len(smtp_inbox.to(partner.billing_email)) == 1


async def test_an_email_left_pending_by_a_process_that_died_is_sent_by_the_retry_job(
    notify: RunningNotify, smtp_inbox: SmtpInbox
) -> None:
    delivery_id, address = uuid4(), f"billing-{uuid4().hex[:12]}@example.org"
    # What a process leaves behind when it dies between committing an event and sending its e-mail.
    await notify.fetch(
        "INSERT INTO deliveries (id, cause_event_id, notification, category, organisation_id, recipient, "
        "locale, subject, text_body, html_body, status, attempts, next_attempt_at, created_at) VALUES ($1, "
        "$2, 'billing_mode_changed', 'partnership', $3, $4, 'en', 'Billing mode changed', 'Hello', "
        "'<p>Hello</p>', 'pending', 0, now(), now())",
        delivery_id,
        uuid4(),
        uuid4(),
        address,
    )

    [message] = await eventually(
        lambda: asyncio.sleep(0, smtp_inbox.to(address)),
        what="the retry job to send the stranded e-mail",
        timeout=notify.settings.delivery_sweep_seconds + 10,
    )
    assert message["Message-ID"] == f"<{delivery_id}@tessera.invalid>"
    await eventually(
        lambda: notify.count("SELECT 1 FROM deliveries WHERE id = $1 AND status = 'delivered'", delivery_id),
        what="the stranded e-mail to be marked delivered",
    )


async def test_a_billing_mode_change_from_last_month_replayed_by_a_new_deployment_emails_nobody(
    notify: RunningNotify, smtp_inbox: SmtpInbox
) -> None:
    partner = await notify.register_organisation("Archiv Partner GmbH", Locale.DE, "DE")
    client = await notify.register_organisation("Vieux Client SARL", Locale.FR, "FR")
    old = envelope(
        payer_reassigned(partner, client, BillingMode.PARTNER_PAYS),
        source=BILLING,
        time=datetime.now(UTC) - timedelta(days=30),
    )
    # Same client, so the same partition: the fresh change is read after the old one.
    fresh = envelope(payer_reassigned(partner, client, BillingMode.CLIENT_PAYS), source=BILLING)

    await notify.kafka.publish(old)
    await notify.kafka.publish(fresh)
    await eventually(
        lambda: asyncio.sleep(0, len(smtp_inbox.to(partner.billing_email)) >= 1), what="the fresh e-mail"
    )

    assert await notify.count("SELECT 1 FROM deliveries WHERE cause_event_id = $1", old.id) == 0
    assert await notify.count("SELECT 1 FROM deliveries WHERE cause_event_id = $1", fresh.id) == 2
    assert await notify.count("SELECT 1 FROM tessera_inbox WHERE event_id = $1", old.id) == 1
