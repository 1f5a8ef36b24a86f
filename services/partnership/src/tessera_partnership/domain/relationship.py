"""A partner managing a client organisation's products, and who pays for them."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from tessera_partnership.domain.errors import (
    BillingModeNeedsFullAccess,
    BillingModeUnchanged,
    EffectiveDateInPast,
    OnlyClientChoosesPayer,
    PartnerIsClient,
)

# A change "now" sent by a client whose clock is a little behind is still "now".
CLOCK_SKEW_TOLERANCE = timedelta(minutes=5)


class Access(StrEnum):
    """How much of the client's account the partner manages."""

    FULL = "full"
    RESTRICTED = "restricted"


class BillingMode(StrEnum):
    """Who pays for the products the partner manages."""

    CLIENT_PAYS = "client_pays"
    PARTNER_PAYS = "partner_pays"


@dataclass(frozen=True)
class BillingModeChange:
    """One decision of the client about who pays, from a given instant on."""

    previous_mode: BillingMode
    billing_mode: BillingMode
    effective_at: datetime
    changed_by_user_id: UUID
    changed_at: datetime


@dataclass
class Relationship:
    """A partner organisation managing a client organisation, with the access the client granted."""

    id: UUID
    partner_organisation_id: UUID
    client_organisation_id: UUID
    access: Access
    billing_mode: BillingMode
    started_at: datetime
    billing_mode_changes: list[BillingModeChange] = field(default_factory=list)

    @classmethod
    def start(
        cls, *, partner_organisation_id: UUID, client_organisation_id: UUID, access: Access, now: datetime
    ) -> "Relationship":
        """A new relationship; the client pays until it decides otherwise."""
        if partner_organisation_id == client_organisation_id:
            raise PartnerIsClient("an organisation cannot be its own partner")
        return cls(
            id=uuid4(),
            partner_organisation_id=partner_organisation_id,
            client_organisation_id=client_organisation_id,
            access=access,
            billing_mode=BillingMode.CLIENT_PAYS,
            started_at=now,
        )

    def change_billing_mode(
        self,
        new_mode: BillingMode,
        *,
        acting_organisation_id: UUID,
        changed_by_user_id: UUID,
        effective_at: datetime | None,
        now: datetime,
    ) -> BillingModeChange:
        """Record the client's choice of payer; renewals due from ``effective_at`` follow it."""
        if acting_organisation_id != self.client_organisation_id:
            raise OnlyClientChoosesPayer("only the client organisation can change who pays")
        if self.access is not Access.FULL:
            raise BillingModeNeedsFullAccess(
                "who pays can be chosen only when the partner has full access; grant full access first"
            )
        if new_mode is self.billing_mode:
            raise BillingModeUnchanged(f"the relationship already uses {new_mode.value}")
        effective = effective_at or now
        if effective < now - CLOCK_SKEW_TOLERANCE:
            raise EffectiveDateInPast("a billing mode change takes effect now or later, never earlier")
        change = BillingModeChange(
            previous_mode=self.billing_mode,
            billing_mode=new_mode,
            effective_at=max(effective, now),
            changed_by_user_id=changed_by_user_id,
            changed_at=now,
        )
        self.billing_mode = new_mode
        self.billing_mode_changes.append(change)
        return change
