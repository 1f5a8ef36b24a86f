"""One e-mail to one recipient, and what happens after each attempt to hand it to the SMTP server."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

ERROR_TEXT_LIMIT = 1000


class DeliveryStatus(StrEnum):
    """Where an e-mail stands: waiting to be sent, accepted by the SMTP server, given up, or never
    sent because the recipient (or their organisation) switched its category off."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


class DeliveryError(Exception):
    """An attempt to hand an e-mail to the SMTP server did not succeed."""


class TransientDeliveryError(DeliveryError):
    """The server could not take the e-mail now (no connection, a 4xx reply): try again later."""


class PermanentDeliveryError(DeliveryError):
    """The server refused the e-mail for good (a 5xx reply, e.g. unknown recipient)."""


@dataclass(frozen=True)
class OutgoingEmail:
    """An e-mail ready for the SMTP server, exactly as every attempt sends it."""

    delivery_id: UUID
    recipient: str
    language: str
    subject: str
    text: str
    html: str
    written_at: datetime
    notification: str = ""


@dataclass(frozen=True)
class RetrySchedule:
    """How often, and how patiently, a transiently failing e-mail is retried."""

    max_attempts: int = 8
    initial_backoff: timedelta = timedelta(seconds=30)
    max_backoff: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("an e-mail needs at least one attempt")

    def backoff_after(self, attempts_made: int) -> timedelta:
        """The pause after the given number of failed attempts: doubling, capped."""
        backoff: timedelta = self.initial_backoff * 2 ** max(attempts_made - 1, 0)
        return min(backoff, self.max_backoff)


@dataclass(frozen=True)
class Delivered:
    """The SMTP server accepted the e-mail."""

    at: datetime


@dataclass(frozen=True)
class RetryLater:
    """The attempt failed transiently; the next one is due at ``at``."""

    at: datetime
    error: str


@dataclass(frozen=True)
class GaveUp:
    """The e-mail will never be sent: refused for good, or out of attempts."""

    at: datetime
    reason: str


Settlement = Delivered | RetryLater | GaveUp


def settle_attempt(
    attempts_before: int, error: DeliveryError | None, now: datetime, schedule: RetrySchedule
) -> Settlement:
    """Decide what one attempt means for the e-mail, given the attempts made before it."""
    if error is None:
        return Delivered(at=now)
    attempts_made = attempts_before + 1
    text = _describe(error)
    if isinstance(error, PermanentDeliveryError):
        return GaveUp(at=now, reason=text)
    if attempts_made >= schedule.max_attempts:
        return GaveUp(at=now, reason=f"gave up after {attempts_made} attempts: {text}"[:ERROR_TEXT_LIMIT])
    return RetryLater(at=now + schedule.backoff_after(attempts_made), error=text)


def _describe(error: DeliveryError) -> str:
    return (str(error) or type(error).__name__)[:ERROR_TEXT_LIMIT]
