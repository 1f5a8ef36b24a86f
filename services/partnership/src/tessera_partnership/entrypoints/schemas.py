"""The shapes of partnership's HTTP API for relationships."""

from datetime import datetime
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from tessera_kit.inputs import RequestBody
from tessera_partnership.domain.relationship import (
    Access,
    BillingMode,
    BillingModeChange,
    Relationship,
    RelationshipStatus,
)


class Request(RequestBody):
    """A request body: unknown fields are refused, and so is NUL (U+0000) in any text."""


class AccessGrant(Request):
    """Full access, or access restricted to listed products; optionally until a date."""

    access: Access
    product_codes: list[str] = Field(default_factory=list, max_length=100)
    access_ends_at: AwareDatetime | None = None


class StartRelationship(AccessGrant):
    """The client asks a partner to manage its products (the partner accepts)."""

    partner_organisation_id: UUID


class InviteClient(AccessGrant):
    """The partner invites a client (the client accepts, approving the access and end date)."""

    client_organisation_id: UUID


class ChangeBillingMode(Request):
    """The client chooses who pays; from now unless a later instant is given."""

    billing_mode: BillingMode
    effective_at: AwareDatetime | None = None


class StaffPermissions(Request):
    """The partner users (besides its managers) who may manage this client."""

    user_ids: list[UUID] = Field(max_length=500)


class BillingModeChangeView(BaseModel):
    """One past choice of payer."""

    previous_mode: BillingMode
    billing_mode: BillingMode
    effective_at: datetime
    changed_by_user_id: UUID
    changed_at: datetime

    @classmethod
    def of(cls, change: BillingModeChange) -> "BillingModeChangeView":
        """The view of a domain change."""
        return cls(
            previous_mode=change.previous_mode,
            billing_mode=change.billing_mode,
            effective_at=change.effective_at,
            changed_by_user_id=change.changed_by_user_id,
            changed_at=change.changed_at,
        )


class RelationshipView(BaseModel):
    """A partner-client relationship as either side sees it."""

    relationship_id: UUID
    partner_organisation_id: UUID
    client_organisation_id: UUID
    status: RelationshipStatus
    access: Access
    product_codes: list[str]
    access_ends_at: datetime | None
    billing_mode: BillingMode
    proposed_by: str | None
    proposal_expires_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    staff_user_ids: list[UUID]
    billing_mode_history: list[BillingModeChangeView]

    @classmethod
    def of(cls, relationship: Relationship) -> "RelationshipView":
        """The view of a domain relationship."""
        proposal, ending = relationship.proposal, relationship.ending
        return cls(
            relationship_id=relationship.id,
            partner_organisation_id=relationship.partner_organisation_id,
            client_organisation_id=relationship.client_organisation_id,
            status=relationship.status,
            access=relationship.access,
            product_codes=list(relationship.scope.product_codes),
            access_ends_at=relationship.scope.ends_at,
            billing_mode=relationship.billing_mode,
            proposed_by=proposal.proposed_by.value if proposal else None,
            proposal_expires_at=proposal.expires_at if proposal else None,
            started_at=relationship.started_at,
            ended_at=ending.ended_at if ending else None,
            end_reason=ending.reason.value if ending else None,
            staff_user_ids=sorted(relationship.staff_user_ids),
            billing_mode_history=[BillingModeChangeView.of(c) for c in relationship.billing_mode_changes],
        )


class PartnerAccessView(BaseModel):
    """What the calling partner user may manage for a client, right now."""

    relationship_id: UUID
    client_organisation_id: UUID
    access: Access
    product_codes: list[str]
    access_ends_at: datetime | None
    billing_mode: BillingMode

    @classmethod
    def of(cls, relationship: Relationship) -> "PartnerAccessView":
        """The view of a relationship in force."""
        return cls(
            relationship_id=relationship.id,
            client_organisation_id=relationship.client_organisation_id,
            access=relationship.access,
            product_codes=list(relationship.scope.product_codes),
            access_ends_at=relationship.scope.ends_at,
            billing_mode=relationship.billing_mode,
        )
