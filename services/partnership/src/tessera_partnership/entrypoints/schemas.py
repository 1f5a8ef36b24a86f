"""The shapes of partnership's HTTP API."""

from datetime import datetime
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict

from tessera_partnership.domain.relationship import Access, BillingMode, Relationship


class StartRelationship(BaseModel):
    """The client lets a partner manage its products."""

    model_config = ConfigDict(extra="forbid")

    partner_organisation_id: UUID
    access: Access


class ChangeBillingMode(BaseModel):
    """The client chooses who pays; from now unless a later instant is given."""

    model_config = ConfigDict(extra="forbid")

    billing_mode: BillingMode
    effective_at: AwareDatetime | None = None


class BillingModeChangeView(BaseModel):
    """One past choice of payer."""

    previous_mode: BillingMode
    billing_mode: BillingMode
    effective_at: datetime
    changed_by_user_id: UUID
    changed_at: datetime


class RelationshipView(BaseModel):
    """A partner-client relationship as either side sees it."""

    relationship_id: UUID
    partner_organisation_id: UUID
    client_organisation_id: UUID
    access: Access
    billing_mode: BillingMode
    started_at: datetime
    billing_mode_history: list[BillingModeChangeView]

    @classmethod
    def of(cls, relationship: Relationship) -> "RelationshipView":
        """The view of a domain relationship."""
        return cls(
            relationship_id=relationship.id,
            partner_organisation_id=relationship.partner_organisation_id,
            client_organisation_id=relationship.client_organisation_id,
            access=relationship.access,
            billing_mode=relationship.billing_mode,
            started_at=relationship.started_at,
            billing_mode_history=[
                BillingModeChangeView(
                    previous_mode=change.previous_mode,
                    billing_mode=change.billing_mode,
                    effective_at=change.effective_at,
                    changed_by_user_id=change.changed_by_user_id,
                    changed_at=change.changed_at,
                )
                for change in relationship.billing_mode_changes
            ],
        )
