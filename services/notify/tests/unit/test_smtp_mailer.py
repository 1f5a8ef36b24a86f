"""The SMTP adapter: the message it composes, and which failures it retries."""

from datetime import UTC, datetime
from email import message_from_bytes, policy
from uuid import uuid4

import aiosmtplib
import pytest

from tessera_notify.adapters.mailer import SmtpMailer, classify
from tessera_notify.config import NotifySettings
from tessera_notify.domain.deliveries import OutgoingEmail, PermanentDeliveryError, TransientDeliveryError


def settings(**overrides: object) -> NotifySettings:
    return NotifySettings(database_url="postgresql+asyncpg://unused/notify", **overrides)  # type: ignore[arg-type]


def test_every_attempt_carries_the_message_id_of_the_delivery() -> None:
    delivery_id = uuid4()
    email = OutgoingEmail(
        delivery_id=delivery_id,
        recipient="billing@client.example",
        language="de",
        subject="Zahlungsmodus geändert",
        text="Guten Tag",
        html="<p>Guten Tag</p>",
        written_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
    )
    mailer = SmtpMailer(settings(mail_from="Tessera <no-reply@mail.tessera.example>"))

    first, second = mailer.compose(email), mailer.compose(email)

    assert first["Message-ID"] == second["Message-ID"] == f"<{delivery_id}@mail.tessera.example>"
    assert first["To"] == "billing@client.example"
    assert first["Content-Language"] == "de"
    assert first["Auto-Submitted"] == "auto-generated"
    assert first.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in first.iter_parts()] == ["text/plain", "text/html"]


@pytest.mark.parametrize(
    "error",
    [
        aiosmtplib.SMTPDataError(451, "4.3.0 try again later"),
        aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(452, "mailbox full", "a@b.c")]),
        aiosmtplib.SMTPConnectError("connection refused"),
        aiosmtplib.SMTPServerDisconnected("gone"),
        aiosmtplib.SMTPReadTimeoutError("slow"),
        aiosmtplib.SMTPAuthenticationError(535, "5.7.8 bad credentials"),
        ConnectionResetError("reset"),
    ],
)
def test_connection_errors_and_4xx_replies_are_retried(error: Exception) -> None:
    assert isinstance(classify(error), TransientDeliveryError)


@pytest.mark.parametrize(
    "error",
    [
        aiosmtplib.SMTPRecipientsRefused(
            [aiosmtplib.SMTPRecipientRefused(550, "5.1.1 no such user", "a@b.c")]
        ),
        aiosmtplib.SMTPDataError(554, "5.6.0 message refused"),
        aiosmtplib.SMTPSenderRefused(553, "5.7.1 sender rejected", "no-reply@tessera.invalid"),
    ],
)
def test_5xx_refusals_of_the_email_are_permanent(error: Exception) -> None:
    failure = classify(error)

    assert isinstance(failure, PermanentDeliveryError)
    assert str(failure).startswith("55")


def test_tls_from_the_start_and_starttls_exclude_each_other() -> None:
    with pytest.raises(ValueError, match="not both"):
        settings(smtp_starttls=True, smtp_use_tls=True)


def test_a_long_non_ascii_subject_keeps_its_spaces_on_the_wire() -> None:
    subject = "Boulangerie Dupont SA: Zahlungsmodus ab 22. November 2026 auf „Partner zahlt“ geändert"
    email = OutgoingEmail(
        delivery_id=uuid4(),
        recipient="billing@partner.example",
        language="de",
        subject=subject,
        text="Guten Tag",
        html="<p>Guten Tag</p>",
        written_at=datetime(2026, 11, 22, 9, 0, tzinfo=UTC),
    )

    wire = SmtpMailer(settings()).wire(email)

    assert message_from_bytes(wire, policy=policy.default)["Subject"] == subject


def test_an_internationalised_address_is_written_in_utf8_not_as_an_encoded_word() -> None:
    email = OutgoingEmail(
        delivery_id=uuid4(),
        recipient="lucía.garcía@example.org",
        language="es",
        subject="Su solicitud de oferta «Tienda online» ha sido enviada",
        text="Hola",
        html="<p>Hola</p>",
        written_at=datetime(2026, 11, 22, 9, 0, tzinfo=UTC),
    )

    wire = SmtpMailer(settings()).wire(email)

    assert "To: lucía.garcía@example.org".encode() in wire
    assert message_from_bytes(wire, policy=policy.default)["Subject"] == email.subject
