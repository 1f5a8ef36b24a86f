"""Who is told what: a notice is one notification for one recipient, before it is worded."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID


class RecipientUnknown(Exception):
    """The organisation to e-mail is not in notify's projection of identity (yet)."""


@dataclass(frozen=True)
class Recipient:
    """An organisation as notify writes to it: at its billing address, in its language."""

    organisation_id: UUID
    name: str
    address: str
    language: str
    country: str


@dataclass(frozen=True)
class Notice:
    """One notification for one recipient, with the facts its templates put into words."""

    notification: str
    recipient: Recipient
    facts: Mapping[str, object]


def too_old_to_tell(occurred_at: datetime, now: datetime, max_age: timedelta) -> bool:
    """Whether news is too old to e-mail anyone about.

    A notify deployment whose consumer group is new reads each topic from its beginning; without
    this rule it would e-mail every partner about every billing-mode change ever made.
    """
    return now - occurred_at > max_age
