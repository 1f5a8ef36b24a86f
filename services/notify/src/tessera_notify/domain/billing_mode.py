"""The billing-mode notification: both parties of a partnership hear that who pays has changed."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from tessera_notify.domain.notices import Notice, Recipient

NOTIFICATION = "billing_mode_changed"


class BillingMode(StrEnum):
    """Who pays for the products a partner manages for its client."""

    CLIENT_PAYS = "client_pays"
    PARTNER_PAYS = "partner_pays"


class PartyRole(StrEnum):
    """Which side of the partnership a recipient is on."""

    PARTNER = "partner"
    CLIENT = "client"


@dataclass(frozen=True)
class MovedRenewal:
    """A subscription whose renewals now go to the new payer; the price in minor units."""

    product_name: str
    amount_minor: int
    currency: str
    next_renewal_on: date


@dataclass(frozen=True)
class BillingModeChange:
    """Renewals of the client's managed products are paid by someone else from ``effective_at``."""

    relationship_id: UUID
    partner: Recipient
    client: Recipient
    mode: BillingMode
    effective_at: datetime
    renewals: tuple[MovedRenewal, ...]

    @property
    def payer(self) -> Recipient:
        """The organisation that pays the renewals from now on."""
        return self.partner if self.mode is BillingMode.PARTNER_PAYS else self.client

    def notices(self) -> tuple[Notice, ...]:
        """One notice for the partner and one for the client, each naming the other party."""
        return (
            self._notice_for(self.partner, PartyRole.PARTNER, other_party=self.client),
            self._notice_for(self.client, PartyRole.CLIENT, other_party=self.partner),
        )

    def _notice_for(self, recipient: Recipient, role: PartyRole, other_party: Recipient) -> Notice:
        return Notice(
            notification=NOTIFICATION,
            recipient=recipient,
            facts={
                "role": role.value,
                "recipient_name": recipient.name,
                "other_party_name": other_party.name,
                "partner_name": self.partner.name,
                "client_name": self.client.name,
                "payer_name": self.payer.name,
                "mode": self.mode.value,
                "effective_at": self.effective_at,
                "renewals": self.renewals,
            },
        )
