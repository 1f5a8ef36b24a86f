"""Who is told what: a notice is one notification for one recipient, before it is worded."""

from collections.abc import Mapping
from dataclasses import dataclass
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
