"""Who receives a wallet receipt (a top-up or an automatic recharge), as the billing panel's help page
says: "visible to the agency, but not sent to the client by default".

* The partners managing the client when the credits arrived each receive it (its billing contact).
* The client receives it too only when its wallet's receipts setting says so (``receipt_to_client``).
* An organisation no partner manages is its own agency: it receives its receipts whatever the setting,
  since a card was charged and somebody must hold the receipt.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID


class ReceiptRole(StrEnum):
    """Whose wallet the receipt is about, from the reader's side."""

    PARTNER = "partner"
    OWNER = "owner"


@dataclass(frozen=True)
class ReceiptReader:
    """An organisation that receives the receipt, and whether the wallet is its own or a client's."""

    organisation_id: UUID
    role: ReceiptRole


def receipt_readers(
    wallet_organisation_id: UUID, managing_partners: Sequence[UUID], receipt_to_client: bool
) -> tuple[ReceiptReader, ...]:
    """The organisations told of one receipt, partners first, each once."""
    readers = [ReceiptReader(partner, ReceiptRole.PARTNER) for partner in dict.fromkeys(managing_partners)]
    if receipt_to_client or not readers:
        readers.append(ReceiptReader(wallet_organisation_id, ReceiptRole.OWNER))
    return tuple(readers)
