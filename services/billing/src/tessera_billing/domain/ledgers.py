"""Entries of billing's ledgers: a partner's cashback, an organisation's history, and product tags."""

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from tessera_billing.domain.money import Money

COLOUR = re.compile(r"^#[0-9a-f]{6}$")


@dataclass(frozen=True)
class CashbackEntry:
    """Cashback a partner earned on one paid invoice: ``rate_bp`` of the invoice's subtotal."""

    entry_id: UUID
    partner_organisation_id: UUID
    client_organisation_id: UUID
    relationship_id: UUID
    invoice_id: UUID
    invoice_number: str
    rate_bp: int
    base: Money
    amount: Money
    earned_at: datetime


class HistoryKind(StrEnum):
    """What moved money in an organisation's billing history."""

    CHARGE = "charge"
    REFUND = "refund"
    CREDIT = "credit"


@dataclass(frozen=True)
class HistoryEntry:
    """One charge (an invoice issued), refund (money given back) or credit (an invoice voided)."""

    entry_id: UUID
    organisation_id: UUID
    kind: HistoryKind
    invoice_id: UUID | None
    description: str
    amount: Money
    occurred_at: datetime


@dataclass(frozen=True)
class Tag:
    """A coloured label an organisation puts on its products; its name is unique in the organisation."""

    tag_id: UUID
    organisation_id: UUID
    name: str
    colour: str
    created_at: datetime

    def __post_init__(self) -> None:
        if not self.name.strip() or len(self.name) > 40:
            raise ValueError("a tag's name has 1 to 40 characters")
        if not COLOUR.match(self.colour):
            raise ValueError(f"a tag's colour is #rrggbb in lower case, not {self.colour!r}")

    def renamed(self, name: str | None, colour: str | None) -> "Tag":
        """The same tag with a new name and/or colour."""
        return replace(self, name=name if name is not None else self.name, colour=colour or self.colour)
