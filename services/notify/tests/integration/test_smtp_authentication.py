"""notify talks to a real SMTP server that wants STARTTLS and a login, as a provider's relay does."""

import asyncio
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from notify_harness import SmtpInbox

from tessera_devtools.layout import free_port
from tessera_notify.adapters.mailer import SmtpMailer
from tessera_notify.config import NotifySettings
from tessera_notify.domain.deliveries import OutgoingEmail, PermanentDeliveryError, TransientDeliveryError

pytestmark = pytest.mark.integration
USERNAME, PASSWORD = "notify", "s3cret-relay-password"


class Relay:
    """A STARTTLS-only SMTP server that accepts one login, and the CA file that trusts it."""

    def __init__(self, inbox: SmtpInbox, port: int, ca_file: Path) -> None:
        self.inbox = inbox
        self.port = port
        self.ca_file = ca_file
        self.logins: list[str] = []


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_file, key_file = folder / "relay.pem", folder / "relay.key"
    certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return certificate_file, key_file


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[Relay]:
    certificate_file, key_file = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate_file, key_file)
    inbox = SmtpInbox()
    relay = Relay(inbox, free_port(), certificate_file)

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword):
            relay.logins.append(data.login.decode())
            if (data.login.decode(), data.password.decode()) == (USERNAME, PASSWORD):
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=relay.port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    try:
        yield relay
    finally:
        controller.stop()


def mailer(relay: Relay, **overrides: Any) -> SmtpMailer:
    settings: dict[str, Any] = {
        "database_url": "postgresql+asyncpg://unused/notify",
        "smtp_host": "127.0.0.1",
        "smtp_port": relay.port,
        "smtp_starttls": True,
        "smtp_username": USERNAME,
        "smtp_password": PASSWORD,
        "smtp_ca_file": str(relay.ca_file),
        "smtp_timeout_seconds": 5.0,
    }
    return SmtpMailer(NotifySettings(**(settings | overrides)))


def an_email(recipient: str) -> OutgoingEmail:
    return OutgoingEmail(
        delivery_id=uuid4(),
        recipient=recipient,
        language="fr",
        subject="Votre facture",
        text="Bonjour",
        html="<p>Bonjour</p>",
        written_at=datetime.now(UTC),
    )


async def test_notify_upgrades_to_tls_logs_in_and_delivers(relay: Relay) -> None:
    await mailer(relay).send(an_email("billing@client.example"))

    [message] = relay.inbox.to("billing@client.example")
    assert message["Subject"] == "Votre facture"
    assert relay.logins == [USERNAME]


async def test_a_wrong_password_is_retried_later_not_given_up(relay: Relay) -> None:
    with pytest.raises(TransientDeliveryError, match="535"):
        await mailer(relay, smtp_password="wrong").send(an_email("billing@client.example"))

    assert relay.inbox.messages == []


async def test_without_starttls_the_relay_refuses_and_nothing_is_sent(relay: Relay) -> None:
    with pytest.raises(TransientDeliveryError):
        await mailer(relay, smtp_starttls=False).send(an_email("billing@client.example"))

    await asyncio.sleep(0)
    assert relay.inbox.messages == []


async def test_an_untrusted_certificate_is_refused(relay: Relay) -> None:
    with pytest.raises(TransientDeliveryError):
        await mailer(relay, smtp_ca_file="").send(an_email("billing@client.example"))

    assert relay.inbox.messages == []


async def test_a_batch_of_emails_shares_one_connection_and_survives_a_refused_address(relay: Relay) -> None:
    relay.inbox.unknown.add("gone@client.example")

    async with mailer(relay).session() as session:
        await session.send(an_email("first@client.example"))
        await session.send(an_email("second@client.example"))
        with pytest.raises(PermanentDeliveryError, match="550"):
            await session.send(an_email("gone@client.example"))
        await session.send(an_email("third@client.example"))

    assert [message["To"] for message in relay.inbox.messages] == [
        "first@client.example",
        "second@client.example",
        "third@client.example",
    ]
    assert relay.logins == [USERNAME, USERNAME]  # one connection, and a new one after the refusal
