"""A client's offer request: a need sent to partners, opened while valid, then cancelled or expired."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from tessera_partnership.domain.directory import LANGUAGES
from tessera_partnership.domain.errors import InvalidOfferRequest, OfferRequestClosed

EXCERPT_LENGTH = 280
MAX_VALIDITY = timedelta(days=90)


class OfferRequestStatus(StrEnum):
    """Whether partners can still open the request."""

    OPEN = "open"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Contact:
    """How a partner reaches the client; revealed only to partners who open the request."""

    name: str
    email: str
    phone: str | None


@dataclass(frozen=True)
class Opening:
    """A partner saw the whole request and the client's contact details."""

    partner_organisation_id: UUID
    opened_by_user_id: UUID
    opened_at: datetime


@dataclass
class OfferRequest:
    """A client's need, sent to the partners who opted in to receive offer requests."""

    id: UUID
    client_organisation_id: UUID
    posted_by_user_id: UUID
    title: str
    description: str
    country: str
    languages: tuple[str, ...]
    contact: Contact
    posted_at: datetime
    expires_at: datetime
    recipients: tuple[UUID, ...]
    status: OfferRequestStatus = OfferRequestStatus.OPEN
    closed_at: datetime | None = None
    openings: list[Opening] = field(default_factory=list)

    @classmethod
    def post(
        cls,
        *,
        client_organisation_id: UUID,
        posted_by_user_id: UUID,
        title: str,
        description: str,
        country: str,
        languages: list[str],
        contact: Contact,
        valid_for: timedelta,
        recipients: tuple[UUID, ...],
        now: datetime,
    ) -> "OfferRequest":
        """A new request, valid for ``valid_for``, sent to ``recipients`` (never to the client itself)."""
        title, description = " ".join(title.split()), description.strip()
        if not 3 <= len(title) <= 120:
            raise InvalidOfferRequest("the title is 3 to 120 characters")
        if not 20 <= len(description) <= 5000:
            raise InvalidOfferRequest("describe the need in 20 to 5000 characters")
        spoken = tuple(sorted({language.lower() for language in languages}))
        if not spoken or not set(spoken) <= LANGUAGES:
            raise InvalidOfferRequest(f"name at least one language among {', '.join(sorted(LANGUAGES))}")
        if not timedelta(days=1) <= valid_for <= MAX_VALIDITY:
            raise InvalidOfferRequest("a request stays valid for 1 to 90 days")
        return cls(
            id=uuid4(),
            client_organisation_id=client_organisation_id,
            posted_by_user_id=posted_by_user_id,
            title=title,
            description=description,
            country=country.upper(),
            languages=spoken,
            contact=contact,
            posted_at=now,
            expires_at=now + valid_for,
            recipients=tuple(r for r in recipients if r != client_organisation_id),
        )

    @property
    def excerpt(self) -> str:
        """What partners see before opening: the start of the description, without contact details."""
        if len(self.description) <= EXCERPT_LENGTH:
            return self.description
        cut = self.description[:EXCERPT_LENGTH].rsplit(" ", 1)[0]
        return f"{cut}…"

    def is_open(self, now: datetime) -> bool:
        """Valid: neither cancelled nor expired."""
        return self.status is OfferRequestStatus.OPEN and now < self.expires_at

    def visible_to(self, partner_organisation_id: UUID, now: datetime) -> bool:
        """Whether a partner sees the request in its list: it received it, and it is still valid."""
        return partner_organisation_id in self.recipients and self.is_open(now)

    def open_by(self, partner_organisation_id: UUID, user_id: UUID, now: datetime) -> Opening | None:
        """A partner opens the full request; the new Opening, or None when it had opened it already."""
        if not self.is_open(now):
            raise OfferRequestClosed(f"this offer request is {self._closed_state(now)}")
        for opening in self.openings:
            if opening.partner_organisation_id == partner_organisation_id:
                return None
        opening = Opening(partner_organisation_id, user_id, now)
        self.openings.append(opening)
        return opening

    def cancel(self, now: datetime) -> bool:
        """The client withdraws the request at once; False when it was already closed."""
        return self._close(OfferRequestStatus.CANCELLED, now)

    def expire(self, now: datetime) -> bool:
        """Close a request whose time ran out; False when it is not due or already closed."""
        if now < self.expires_at:
            return False
        return self._close(OfferRequestStatus.EXPIRED, now)

    def _close(self, status: OfferRequestStatus, now: datetime) -> bool:
        if self.status is not OfferRequestStatus.OPEN:
            return False
        self.status, self.closed_at = status, now
        return True

    def _closed_state(self, now: datetime) -> str:
        if self.status is OfferRequestStatus.OPEN and now >= self.expires_at:
            return OfferRequestStatus.EXPIRED.value
        return self.status.value
