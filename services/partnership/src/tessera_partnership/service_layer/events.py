"""The contract events partnership publishes, built from the domain's objects."""

from datetime import datetime
from uuid import UUID

from tessera_events import partnership as contract
from tessera_events.identity import Locale
from tessera_partnership.domain.offer_request import OfferRequest, Opening
from tessera_partnership.domain.programme import Partner, PartnerStatus, Tier
from tessera_partnership.domain.relationship import Relationship


def relationship_proposed(relationship: Relationship) -> contract.RelationshipProposed:
    """An invitation or a request waits for the other side."""
    proposal = relationship.proposal
    assert proposal is not None
    return contract.RelationshipProposed(
        relationship_id=relationship.id,
        partner_organisation_id=relationship.partner_organisation_id,
        client_organisation_id=relationship.client_organisation_id,
        proposed_by=contract.Side(proposal.proposed_by.value),
        proposed_by_user_id=proposal.proposed_by_user_id,
        access=contract.Access(relationship.access.value),
        product_codes=relationship.scope.product_codes,
        expires_at=proposal.expires_at,
    )


def relationship_started(relationship: Relationship) -> contract.RelationshipStarted:
    """The partner manages the client from now on."""
    assert relationship.started_at is not None
    return contract.RelationshipStarted(
        relationship_id=relationship.id,
        partner_organisation_id=relationship.partner_organisation_id,
        client_organisation_id=relationship.client_organisation_id,
        access=contract.Access(relationship.access.value),
        billing_mode=contract.BillingMode(relationship.billing_mode.value),
        started_at=relationship.started_at,
        product_codes=relationship.scope.product_codes,
        access_ends_at=relationship.scope.ends_at,
    )


def access_changed(relationship: Relationship, user_id: UUID, now: datetime) -> contract.AccessChanged:
    """The client changed what the partner may manage (and who pays, when restricting returned it)."""
    return contract.AccessChanged(
        relationship_id=relationship.id,
        partner_organisation_id=relationship.partner_organisation_id,
        client_organisation_id=relationship.client_organisation_id,
        access=contract.Access(relationship.access.value),
        product_codes=relationship.scope.product_codes,
        access_ends_at=relationship.scope.ends_at,
        billing_mode=contract.BillingMode(relationship.billing_mode.value),
        changed_by_user_id=user_id,
        changed_at=now,
    )


def partner_staff_changed(
    relationship: Relationship, user_id: UUID, now: datetime
) -> contract.PartnerStaffChanged:
    """Which of the partner's users (beyond its managers) may act for this client, as it stands now."""
    return contract.PartnerStaffChanged(
        relationship_id=relationship.id,
        partner_organisation_id=relationship.partner_organisation_id,
        client_organisation_id=relationship.client_organisation_id,
        staff_user_ids=tuple(sorted(relationship.staff_user_ids)),
        changed_by_user_id=user_id,
        changed_at=now,
    )


def access_ending_soon(relationship: Relationship) -> contract.AccessEndingSoon:
    """Both sides are warned that time-bound access ends soon."""
    assert relationship.scope.ends_at is not None
    return contract.AccessEndingSoon(
        relationship_id=relationship.id,
        partner_organisation_id=relationship.partner_organisation_id,
        client_organisation_id=relationship.client_organisation_id,
        access_ends_at=relationship.scope.ends_at,
    )


def relationship_ended(relationship: Relationship) -> contract.RelationshipEnded:
    """Access is revoked; future charges go to the client."""
    ending = relationship.ending
    assert ending is not None
    return contract.RelationshipEnded(
        relationship_id=relationship.id,
        partner_organisation_id=relationship.partner_organisation_id,
        client_organisation_id=relationship.client_organisation_id,
        reason=contract.RelationshipEndReason(ending.reason.value),
        ended_by_user_id=ending.ended_by_user_id,
        ended_at=ending.ended_at,
    )


def billing_mode_changed(relationship: Relationship) -> contract.BillingModeChanged:
    """The client's latest choice of payer."""
    change = relationship.billing_mode_changes[-1]
    return contract.BillingModeChanged(
        relationship_id=relationship.id,
        partner_organisation_id=relationship.partner_organisation_id,
        client_organisation_id=relationship.client_organisation_id,
        previous_mode=contract.BillingMode(change.previous_mode.value),
        billing_mode=contract.BillingMode(change.billing_mode.value),
        effective_at=change.effective_at,
        changed_by_user_id=change.changed_by_user_id,
    )


def partner_status_changed(partner: Partner, previous: PartnerStatus | None) -> contract.PartnerStatusChanged:
    """A partner's standing in the programme changed."""
    return contract.PartnerStatusChanged(
        partner_organisation_id=partner.organisation_id,
        status=contract.PartnerStatus(partner.status.value),
        previous_status=contract.PartnerStatus(previous.value) if previous else None,
        changed_at=partner.status_changed_at,
    )


def partner_tier_assigned(partner: Partner, tier: Tier, now: datetime) -> contract.PartnerTierAssigned:
    """The rates billing applies to the partner from now on."""
    return contract.PartnerTierAssigned(
        partner_organisation_id=partner.organisation_id,
        tier=tier.name,
        reseller_discount_bp=tier.reseller_discount_bp,
        cashback_bp=tier.cashback_bp,
        effective_at=now,
    )


def offer_request_posted(request: OfferRequest) -> contract.OfferRequestPosted:
    """The excerpt goes to the recipients; the client gets its confirmation with the cancel link."""
    return contract.OfferRequestPosted(
        offer_request_id=request.id,
        client_organisation_id=request.client_organisation_id,
        posted_by_user_id=request.posted_by_user_id,
        title=request.title,
        excerpt=request.excerpt,
        country=request.country,
        languages=tuple(Locale(language) for language in request.languages),
        expires_at=request.expires_at,
        recipient_partner_organisation_ids=request.recipients,
        posted_at=request.posted_at,
    )


def offer_request_opened(request: OfferRequest, opening: Opening) -> contract.OfferRequestOpened:
    """A partner saw the client's contact details."""
    return contract.OfferRequestOpened(
        offer_request_id=request.id,
        client_organisation_id=request.client_organisation_id,
        partner_organisation_id=opening.partner_organisation_id,
        opened_by_user_id=opening.opened_by_user_id,
        opened_at=opening.opened_at,
    )


def offer_request_closed(request: OfferRequest) -> contract.OfferRequestClosed:
    """The request can no longer be opened."""
    assert request.closed_at is not None
    return contract.OfferRequestClosed(
        offer_request_id=request.id,
        client_organisation_id=request.client_organisation_id,
        reason=request.status.value,
        closed_at=request.closed_at,
    )
