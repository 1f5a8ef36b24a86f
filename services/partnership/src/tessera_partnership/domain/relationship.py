"""A partner managing a client's products: how it starts, what it covers, who pays, how it ends."""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from tessera_partnership.domain.errors import (
    AccessExpired,
    AccessRevoked,
    BillingModeNeedsFullAccess,
    BillingModeUnchanged,
    EffectiveDateInPast,
    InvalidAccessScope,
    NotPartnerStaff,
    OnlyClientChoosesPayer,
    OnlyClientGrantsAccess,
    OutsideGrantedAccess,
    PartnerIsClient,
    ProposalNotPending,
    ProposerCannotAccept,
    RelationshipNotActive,
    StaffNotPermitted,
)

# A change "now" sent by a client whose clock is a little behind is still "now".
CLOCK_SKEW_TOLERANCE = timedelta(minutes=5)
PRODUCT_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_PRODUCT_CODES = 100


class Access(StrEnum):
    """How much of the client's account the partner manages."""

    FULL = "full"
    RESTRICTED = "restricted"


class BillingMode(StrEnum):
    """Who pays for the products the partner manages."""

    CLIENT_PAYS = "client_pays"
    PARTNER_PAYS = "partner_pays"


class Side(StrEnum):
    """One side of a relationship."""

    PARTNER = "partner"
    CLIENT = "client"


class RelationshipStatus(StrEnum):
    """Where a relationship stands."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    ENDED = "ended"


class EndReason(StrEnum):
    """Why a relationship in force ended."""

    STOPPED_BY_PARTNER = "stopped_by_partner"
    STOPPED_BY_CLIENT = "stopped_by_client"
    ACCESS_EXPIRED = "access_expired"
    PARTNER_LEFT_PROGRAMME = "partner_left_programme"


@dataclass(frozen=True)
class AccessScope:
    """What the client lets the partner manage, and until when (None: until stopped)."""

    access: Access
    product_codes: tuple[str, ...] = ()
    ends_at: datetime | None = None

    @classmethod
    def of(
        cls,
        access: Access,
        product_codes: tuple[str, ...] | list[str],
        ends_at: datetime | None,
        now: datetime,
    ) -> "AccessScope":
        """A valid scope: restricted access lists its products, full access none; an end date lies ahead."""
        codes = tuple(sorted({code.strip().lower() for code in product_codes}))
        if access is Access.FULL and codes:
            raise InvalidAccessScope("full access covers every product: list no product codes")
        if access is Access.RESTRICTED and not codes:
            raise InvalidAccessScope("restricted access must list the product codes the partner may manage")
        if len(codes) > MAX_PRODUCT_CODES or not all(PRODUCT_CODE.match(code) for code in codes):
            raise InvalidAccessScope(
                f"product codes are up to {MAX_PRODUCT_CODES} lower-case codes like 'web-hosting-pro'"
            )
        if ends_at is not None and ends_at <= now:
            raise InvalidAccessScope("the access end date must lie in the future")
        return cls(access=access, product_codes=codes, ends_at=ends_at)

    def expired(self, now: datetime) -> bool:
        """Whether a time-bound grant has run out."""
        return self.ends_at is not None and self.ends_at <= now

    def covers(self, product_code: str) -> bool:
        """Whether the partner may manage this product."""
        return self.access is Access.FULL or product_code in self.product_codes


@dataclass(frozen=True)
class BillingModeChange:
    """One decision of the client about who pays, from a given instant on."""

    previous_mode: BillingMode
    billing_mode: BillingMode
    effective_at: datetime
    changed_by_user_id: UUID
    changed_at: datetime


@dataclass(frozen=True)
class Proposal:
    """Who asked whom to start the relationship, and until when the other side may accept."""

    proposed_by: Side
    proposed_by_user_id: UUID
    proposed_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Ending:
    """How a relationship in force came to an end."""

    reason: EndReason
    ended_by_user_id: UUID | None
    ended_at: datetime


@dataclass
class Relationship:
    """A partner organisation managing a client organisation, with the access the client granted."""

    id: UUID
    partner_organisation_id: UUID
    client_organisation_id: UUID
    status: RelationshipStatus
    scope: AccessScope
    billing_mode: BillingMode
    proposal: Proposal | None
    started_at: datetime | None = None
    ending: Ending | None = None
    ending_warned_for: datetime | None = None
    staff_user_ids: frozenset[UUID] = frozenset()
    billing_mode_changes: list[BillingModeChange] = field(default_factory=list)

    @property
    def access(self) -> Access:
        """Full or restricted."""
        return self.scope.access

    @classmethod
    def propose(
        cls,
        *,
        partner_organisation_id: UUID,
        client_organisation_id: UUID,
        scope: AccessScope,
        proposed_by: Side,
        proposed_by_user_id: UUID,
        now: datetime,
        valid_for: timedelta,
    ) -> "Relationship":
        """An invitation (from the partner) or a request (from the client) the other side may accept."""
        if partner_organisation_id == client_organisation_id:
            raise PartnerIsClient("an organisation cannot be its own partner")
        return cls(
            id=uuid4(),
            partner_organisation_id=partner_organisation_id,
            client_organisation_id=client_organisation_id,
            status=RelationshipStatus.PROPOSED,
            scope=scope,
            billing_mode=BillingMode.CLIENT_PAYS,
            proposal=Proposal(proposed_by, proposed_by_user_id, now, now + valid_for),
        )

    def side_of(self, organisation_id: UUID) -> Side:
        """Which side an organisation of this relationship is on."""
        return Side.CLIENT if organisation_id == self.client_organisation_id else Side.PARTNER

    def is_pending(self, now: datetime) -> bool:
        """Whether the proposal still waits for an answer."""
        return (
            self.status is RelationshipStatus.PROPOSED
            and self.proposal is not None
            and now < self.proposal.expires_at
        )

    def is_in_force(self, now: datetime) -> bool:
        """Whether the partner may act now: started, not ended, and the grant has not run out."""
        return self.status is RelationshipStatus.ACTIVE and not self.scope.expired(now)

    def accept(self, *, accepting_side: Side, now: datetime) -> None:
        """The other side says yes: the relationship starts now (the client pays until it decides otherwise).

        A client accepting an invitation approves the access and end date the partner proposed."""
        self._require_pending(now)
        assert self.proposal is not None
        if accepting_side is self.proposal.proposed_by:
            raise ProposerCannotAccept(f"the {accepting_side.value} proposed this; the other side accepts it")
        if self.scope.expired(now):
            raise AccessExpired("the proposed access end date has already passed")
        self.status = RelationshipStatus.ACTIVE
        self.started_at = now

    def decline(self, *, declining_side: Side, now: datetime) -> None:
        """The proposal ends unanswered: the other side declines it, or the proposer withdraws it."""
        self._require_pending(now)
        assert self.proposal is not None
        withdrawn = declining_side is self.proposal.proposed_by
        self.status = RelationshipStatus.WITHDRAWN if withdrawn else RelationshipStatus.DECLINED

    def lapse(self, now: datetime) -> bool:
        """Mark a proposal nobody answered in time as expired; True if it just did."""
        if self.status is RelationshipStatus.PROPOSED and not self.is_pending(now):
            self.status = RelationshipStatus.EXPIRED
            return True
        return False

    def change_access(
        self, scope: AccessScope, *, acting_side: Side, changed_by_user_id: UUID, now: datetime
    ) -> bool:
        """The client changes what the partner may manage. Restricting access while the partner pays
        returns billing to the client from now (recorded in the history); True when it did."""
        if acting_side is not Side.CLIENT:
            raise OnlyClientGrantsAccess("only the client decides what its partner may manage")
        self._require_active()
        if self.scope.expired(now):
            raise AccessExpired("the partner's access has already ended")
        billing_returned = scope.access is Access.RESTRICTED and self.billing_mode is BillingMode.PARTNER_PAYS
        self.scope = scope
        if billing_returned:
            self.billing_mode_changes.append(
                BillingModeChange(
                    BillingMode.PARTNER_PAYS, BillingMode.CLIENT_PAYS, now, changed_by_user_id, now
                )
            )
            self.billing_mode = BillingMode.CLIENT_PAYS
        if scope.ends_at != self.ending_warned_for:
            self.ending_warned_for = None
        return billing_returned

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
        self._require_active()
        if self.scope.expired(now):
            raise AccessExpired("the partner's access has ended")
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

    def end(self, reason: EndReason, *, ended_by_user_id: UUID | None, now: datetime) -> Ending:
        """Stop the relationship: access is revoked, and future charges go back to the client."""
        self._require_active()
        self.status = RelationshipStatus.ENDED
        self.billing_mode = BillingMode.CLIENT_PAYS
        self.ending = Ending(reason=reason, ended_by_user_id=ended_by_user_id, ended_at=now)
        return self.ending

    def set_staff(self, user_ids: frozenset[UUID], *, partner_staff: frozenset[UUID]) -> bool:
        """The partner names which of its users may manage this client (its managers always may); True
        when the list changed."""
        self._require_active()
        strangers = user_ids - partner_staff
        if strangers:
            raise NotPartnerStaff(
                f"not members of the partner organisation: {', '.join(sorted(map(str, strangers)))}"
            )
        changed, self.staff_user_ids = user_ids != self.staff_user_ids, user_ids
        return changed

    def authorise_partner_user(
        self, user_id: UUID, *, is_partner_manager: bool, now: datetime, product_code: str | None = None
    ) -> None:
        """A partner user may act on this client only while access is in force, within the products it
        covers, and, unless one of the partner's managers, when listed in the staff permissions."""
        if self.status is not RelationshipStatus.ACTIVE:
            raise AccessRevoked(f"the relationship is {self.status.value}: the partner has no access")
        if self.scope.expired(now):
            raise AccessExpired("the client's grant of access has ended")
        if not is_partner_manager and user_id not in self.staff_user_ids:
            raise StaffNotPermitted("this partner user is not allowed to manage this client")
        if product_code is not None and not self.scope.covers(product_code):
            raise OutsideGrantedAccess(f"the client's access does not cover {product_code}")

    def due_for_warning(self, now: datetime, lead: timedelta) -> bool:
        """Whether both sides should now be warned that time-bound access ends soon (once per end date)."""
        ends_at = self.scope.ends_at
        return (
            self.status is RelationshipStatus.ACTIVE
            and ends_at is not None
            and now < ends_at <= now + lead
            and self.ending_warned_for != ends_at
        )

    def _require_pending(self, now: datetime) -> None:
        if not self.is_pending(now):
            raise ProposalNotPending("this invitation or request is no longer pending")

    def _require_active(self) -> None:
        if self.status is not RelationshipStatus.ACTIVE:
            raise RelationshipNotActive(f"the relationship is {self.status.value}")
