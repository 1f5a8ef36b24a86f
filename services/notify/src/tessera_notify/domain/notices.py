"""Who is told what: a notice is one notification for one recipient, before it is worded."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from tessera_notify.domain.catalogue import Audience, Category, kind_of


class RecipientUnknown(Exception):
    """The organisation or person to e-mail is not in notify's projection of identity (yet)."""

    def __init__(self, kind: str, subject_id: UUID) -> None:
        super().__init__(f"{kind} {subject_id} is not known to notify yet")
        self.kind = kind
        self.subject_id = subject_id

    @classmethod
    def organisation(cls, organisation_id: UUID) -> "RecipientUnknown":
        """An organisation identity has not told notify of."""
        return cls(ORGANISATION, organisation_id)

    @classmethod
    def user(cls, user_id: UUID) -> "RecipientUnknown":
        """A person identity has not told notify of."""
        return cls(USER, user_id)


ORGANISATION = "organisation"
USER = "user"


@dataclass(frozen=True)
class Amount:
    """Money as the events carry it: integer minor units of an ISO currency (never a float)."""

    amount_minor: int
    currency: str


@dataclass(frozen=True)
class Recipient:
    """Someone notify writes to: an address, the language to write in, and the country whose
    conventions format money and dates. ``user_id`` is set for a person (their preferences apply),
    none for an organisation's billing contact; ``organisation_id`` is the organisation the notice
    concerns (none for a notice about a person's own account)."""

    organisation_id: UUID | None
    name: str
    address: str
    language: str
    country: str
    user_id: UUID | None = None


@dataclass(frozen=True)
class OrganisationContact:
    """An organisation as notify knows it: name, billing address, language and country."""

    organisation_id: UUID
    name: str
    billing_email: str
    language: str
    country: str

    def as_recipient(self) -> Recipient:
        """The organisation's billing contact as a recipient."""
        return Recipient(self.organisation_id, self.name, self.billing_email, self.language, self.country)


@dataclass(frozen=True)
class Person:
    """A user as notify knows them: name, address and language."""

    user_id: UUID
    name: str
    email: str
    language: str

    def in_organisation(self, organisation: OrganisationContact | None) -> Recipient:
        """The person as a recipient of a notice about ``organisation`` (none: about themselves)."""
        return Recipient(
            organisation_id=organisation.organisation_id if organisation else None,
            name=self.name,
            address=self.email,
            language=self.language,
            country=organisation.country if organisation else "",
            user_id=self.user_id,
        )


@dataclass(frozen=True)
class Notice:
    """One notification for one recipient, with the facts its templates put into words."""

    notification: str
    recipient: Recipient
    facts: Mapping[str, object]

    @property
    def category(self) -> Category:
        """The catalogue category of the notification (what preferences switch)."""
        return kind_of(self.notification).category


def audience_of(
    audience: Audience, organisation: OrganisationContact, administrators: Sequence[Person]
) -> tuple[Recipient, ...]:
    """The recipients ``audience`` names in an organisation, each address once.

    When the audience is the administrators but notify knows none of them (identity's users arrive
    on another topic), the billing contact is written to instead, so the notice is not lost.
    """
    chosen: list[Recipient] = []
    if audience.includes_administrators:
        chosen += [person.in_organisation(organisation) for person in administrators]
    if audience.includes_billing_contact or not chosen:
        chosen.append(organisation.as_recipient())
    return _each_address_once(chosen)


def notices_for(
    notification: str, recipients: Iterable[Recipient], facts: Mapping[str, object]
) -> tuple[Notice, ...]:
    """The same notification for each recipient, greeting each by name."""
    return tuple(
        Notice(notification, recipient, {**facts, "recipient_name": recipient.name})
        for recipient in _each_address_once(recipients)
    )


def _each_address_once(recipients: Iterable[Recipient]) -> tuple[Recipient, ...]:
    seen: dict[str, Recipient] = {}
    for recipient in recipients:
        seen.setdefault(recipient.address.casefold(), recipient)
    return tuple(seen.values())


def too_old_to_tell(occurred_at: datetime, now: datetime, max_age: timedelta) -> bool:
    """Whether news is too old to e-mail anyone about.

    A notify deployment whose consumer group is new reads each topic from its beginning; without
    this rule it would e-mail every partner about every billing-mode change ever made.
    """
    return now - occurred_at > max_age
