"""Hands e-mails to the SMTP server with aiosmtplib, telling transient failures from permanent ones.

Every attempt at one delivery sends the same message with the same ``Message-ID``, derived from the
delivery id. The one duplicate notify cannot rule out (the server accepted the e-mail, then the
process died before the delivery was marked delivered, so it is sent again) therefore carries the
Message-ID of the first copy, and a receiving system can discard it.
"""

import contextlib
import email.policy
from collections.abc import AsyncIterator
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiosmtplib
from opentelemetry.trace import SpanKind, Status, StatusCode

from tessera_kit.telemetry import tracer
from tessera_notify.config import NotifySettings
from tessera_notify.domain.deliveries import (
    DeliveryError,
    OutgoingEmail,
    PermanentDeliveryError,
    TransientDeliveryError,
)

# A 5xx reply while opening the session (greeting, EHLO, AUTH) says the server or our credentials are
# wrong, not this e-mail: retrying after someone fixes it delivers it.
_SESSION_REFUSALS = (
    aiosmtplib.SMTPConnectResponseError,
    aiosmtplib.SMTPHeloError,
    aiosmtplib.SMTPAuthenticationError,
)

# Python 3.11 drops the spaces between RFC 2047 encoded words when it folds a long non-ASCII
# header at 78 characters ("Partner zahlt" arrives as "Partnerzahlt"). RFC 5322 allows lines of
# 998 characters, and one encoded word keeps the subject's spaces intact.
_POLICY = email.policy.SMTP.clone(max_line_length=998)
# An internationalised address (RFC 6531) cannot be written as an encoded word: such a message is
# written in UTF-8, and aiosmtplib sends it with SMTPUTF8 (when the server offers it).
_UTF8_POLICY = _POLICY.clone(utf8=True)


class SmtpMailer:
    """Composes e-mails and hands them to the configured SMTP server, one connection per batch."""

    def __init__(self, settings: NotifySettings) -> None:
        self._settings = settings
        self._sender = parseaddr(settings.mail_from)[1]
        self._domain = self._sender.rpartition("@")[2] or "tessera.invalid"

    def compose(self, email: OutgoingEmail) -> EmailMessage:
        """The MIME message: plain text with an HTML alternative, identified by the delivery id."""
        message = EmailMessage(policy=_POLICY if email.recipient.isascii() else _UTF8_POLICY)
        message["From"] = self._settings.mail_from
        message["To"] = email.recipient
        message["Subject"] = email.subject
        message["Date"] = format_datetime(email.written_at)
        message["Message-ID"] = f"<{email.delivery_id}@{self._domain}>"
        # RFC 3834: auto-responders must not answer a notification.
        message["Auto-Submitted"] = "auto-generated"
        if email.notification:
            # Lets mail rules (and the suite's tests) tell one kind of notice from another.
            message["X-Tessera-Notification"] = email.notification
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        # After the parts exist: making the message multipart moves Content-* headers into the first part.
        message["Content-Language"] = email.language
        return message

    def wire(self, email: OutgoingEmail) -> bytes:
        """The exact bytes sent: flattened here, since aiosmtplib would re-fold with its own policy."""
        return self.compose(email).as_bytes()

    async def send(self, email: OutgoingEmail) -> None:
        """Send one e-mail on a connection of its own; raise TransientDeliveryError or
        PermanentDeliveryError when it fails."""
        async with self.session() as session:
            await session.send(email)

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator["SmtpSession"]:
        """A connection reused for several e-mails in a row (opened on the first, closed at the end)."""
        session = SmtpSession(self, self._settings)
        try:
            yield session
        finally:
            await session.close()

    def client(self) -> aiosmtplib.SMTP:
        """A not yet connected client: TLS or STARTTLS, and login, as the settings say."""
        settings = self._settings
        return aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password.get_secret_value() or None,
            use_tls=settings.smtp_use_tls,
            start_tls=settings.smtp_starttls,
            cert_bundle=settings.smtp_ca_file or None,
            timeout=settings.smtp_timeout_seconds,
        )

    @property
    def sender(self) -> str:
        """The envelope sender (MAIL FROM)."""
        return self._sender


class SmtpSession:
    """One SMTP connection for e-mails sent one after another. Any failure drops the connection, so the
    next e-mail starts on a fresh one: a reply that left the session in doubt never spoils another."""

    def __init__(self, mailer: SmtpMailer, settings: NotifySettings) -> None:
        self._mailer = mailer
        self._settings = settings
        self._client: aiosmtplib.SMTP | None = None

    async def send(self, email: OutgoingEmail) -> None:
        """Send the e-mail; raise TransientDeliveryError or PermanentDeliveryError when it fails."""
        with tracer().start_as_current_span(
            "smtp send",
            kind=SpanKind.CLIENT,
            attributes={
                "server.address": self._settings.smtp_host,
                "server.port": self._settings.smtp_port,
                "tessera.delivery_id": str(email.delivery_id),
            },
        ) as span:
            try:
                client = await self._connected()
                await client.sendmail(
                    self._mailer.sender,
                    [email.recipient],
                    self._mailer.wire(email),
                    mail_options=[] if email.recipient.isascii() else ["SMTPUTF8"],
                )
            except Exception as error:
                self._drop()
                failure = classify(error)
                span.record_exception(error)
                span.set_status(Status(StatusCode.ERROR, str(failure)))
                raise failure from error

    async def close(self) -> None:
        """Say QUIT if still connected; a server that is gone already is no error."""
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await client.quit()
            client.close()

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is None or not self._client.is_connected:
            self._drop()
            client = self._mailer.client()
            await client.connect()
            self._client = client
        return self._client

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()


def classify(error: Exception) -> DeliveryError:
    """Whether a failed send is worth retrying: 4xx replies and lost connections are, 5xx are not."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [refusal.code for refusal in error.recipients]
        detail = "; ".join(f"{refusal.code} {refusal.message}" for refusal in error.recipients)
        permanent = bool(codes) and all(_is_permanent(code) for code in codes)
        return PermanentDeliveryError(detail) if permanent else TransientDeliveryError(detail)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        detail = f"{error.code} {error.message}"
        if _is_permanent(error.code) and not isinstance(error, _SESSION_REFUSALS):
            return PermanentDeliveryError(detail)
        return TransientDeliveryError(detail)
    return TransientDeliveryError(f"{type(error).__name__}: {error}")


def _is_permanent(code: int) -> bool:
    return 500 <= code < 600
