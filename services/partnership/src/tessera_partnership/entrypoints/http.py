"""Partnership's HTTP API for relationships: proposals, access, who pays, staff, and ending."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from tessera_kit.permissions import PARTNERSHIP, requires
from tessera_partnership.domain.relationship import RelationshipStatus, Side
from tessera_partnership.entrypoints.dependencies import (
    CONFLICT,
    INVALID,
    PROBLEMS,
    CallerDep,
    SettingsDep,
    UowDep,
    days,
)
from tessera_partnership.entrypoints.schemas import (
    AccessGrant,
    BillingModeChangeView,
    ChangeBillingMode,
    InviteClient,
    PartnerAccessView,
    RelationshipView,
    StaffPermissions,
    StartRelationship,
)
from tessera_partnership.service_layer import grants, relationships

router = APIRouter(prefix="/v1/organisations/{organisation_id}", tags=["relationships"])
ANSWERS = {**PROBLEMS, **CONFLICT, **INVALID}


@router.post(
    "/partners",
    status_code=status.HTTP_201_CREATED,
    summary="Ask a partner to manage this client",
    responses=ANSWERS,
    dependencies=[requires(PARTNERSHIP["relationships:write"])],
)
async def request_partner(
    organisation_id: UUID, body: StartRelationship, caller: CallerDep, uow: UowDep, settings: SettingsDep
) -> RelationshipView:
    """The client (a legal representative or administrator) asks a partner to manage its products with
    full or restricted access, optionally until a date; the relationship starts when the partner accepts."""
    relationship = await relationships.propose(
        uow,
        caller,
        acting_organisation_id=organisation_id,
        side=Side.CLIENT,
        other_organisation_id=body.partner_organisation_id,
        access=body.access,
        product_codes=body.product_codes,
        access_ends_at=body.access_ends_at,
        valid_for=days(settings.proposal_valid_days),
    )
    return RelationshipView.of(relationship)


@router.post(
    "/clients",
    status_code=status.HTTP_201_CREATED,
    summary="Invite a client to be managed",
    responses=ANSWERS,
    dependencies=[requires(PARTNERSHIP["relationships:write"])],
)
async def invite_client(
    organisation_id: UUID, body: InviteClient, caller: CallerDep, uow: UowDep, settings: SettingsDep
) -> RelationshipView:
    """The partner invites a client; the relationship starts when the client accepts (and so approves the
    access and end date proposed)."""
    relationship = await relationships.propose(
        uow,
        caller,
        acting_organisation_id=organisation_id,
        side=Side.PARTNER,
        other_organisation_id=body.client_organisation_id,
        access=body.access,
        product_codes=body.product_codes,
        access_ends_at=body.access_ends_at,
        valid_for=days(settings.proposal_valid_days),
    )
    return RelationshipView.of(relationship)


@router.get(
    "/partners",
    summary="This client's partners",
    responses=PROBLEMS,
    dependencies=[requires(PARTNERSHIP["relationships:read"])],
)
async def list_partners(
    organisation_id: UUID, caller: CallerDep, uow: UowDep, status: RelationshipStatus | None = None
) -> list[RelationshipView]:
    """Relationships in which the organisation is the client (any status unless one is asked for)."""
    found = await relationships.relationships_of(
        uow, caller, organisation_id, as_client=True, statuses=(status,) if status else ()
    )
    return [RelationshipView.of(relationship) for relationship in found]


@router.get(
    "/clients",
    summary="This partner's clients",
    responses=PROBLEMS,
    dependencies=[requires(PARTNERSHIP["relationships:read"])],
)
async def list_clients(
    organisation_id: UUID, caller: CallerDep, uow: UowDep, status: RelationshipStatus | None = None
) -> list[RelationshipView]:
    """Relationships in which the organisation is the partner (partner staff: the clients they manage)."""
    found = await relationships.relationships_of(
        uow, caller, organisation_id, as_client=False, statuses=(status,) if status else ()
    )
    return [RelationshipView.of(relationship) for relationship in found]


@router.get(
    "/relationships/{relationship_id}",
    summary="One relationship",
    responses=PROBLEMS,
    dependencies=[requires(PARTNERSHIP["relationships:read"])],
)
async def get_relationship(
    organisation_id: UUID, relationship_id: UUID, caller: CallerDep, uow: UowDep
) -> RelationshipView:
    """A relationship seen from either side."""
    return RelationshipView.of(
        await relationships.relationship_of(uow, caller, organisation_id, relationship_id)
    )


@router.post(
    "/relationships/{relationship_id}/accept",
    summary="Accept an invitation or request",
    responses=ANSWERS,
    dependencies=[requires(PARTNERSHIP["relationships:write"])],
)
async def accept(
    organisation_id: UUID, relationship_id: UUID, caller: CallerDep, uow: UowDep
) -> RelationshipView:
    """The side that did not propose accepts, before the proposal expires: the relationship starts."""
    return RelationshipView.of(await relationships.accept(uow, caller, organisation_id, relationship_id))


@router.post(
    "/relationships/{relationship_id}/decline",
    summary="Decline or withdraw a proposal",
    responses=ANSWERS,
    dependencies=[requires(PARTNERSHIP["relationships:write"])],
)
async def decline(
    organisation_id: UUID, relationship_id: UUID, caller: CallerDep, uow: UowDep
) -> RelationshipView:
    """The other side declines a pending proposal, or its author withdraws it."""
    return RelationshipView.of(await relationships.decline(uow, caller, organisation_id, relationship_id))


@router.post(
    "/relationships/{relationship_id}/end",
    summary="Stop the relationship",
    responses=ANSWERS,
    dependencies=[requires(PARTNERSHIP["relationships:write"])],
)
async def end(
    organisation_id: UUID, relationship_id: UUID, caller: CallerDep, uow: UowDep
) -> RelationshipView:
    """Either side stops it: access is revoked, future charges go to the client, both are e-mailed."""
    return RelationshipView.of(await relationships.end(uow, caller, organisation_id, relationship_id))


@router.put(
    "/partners/{relationship_id}/access",
    summary="Change what the partner may manage",
    responses=ANSWERS,
    dependencies=[requires(PARTNERSHIP["relationships:write"])],
)
async def change_access(
    organisation_id: UUID, relationship_id: UUID, body: AccessGrant, caller: CallerDep, uow: UowDep
) -> RelationshipView:
    """The client grants full access or restricts it to listed products, and sets or clears an end date.
    Restricting access while the partner pays returns billing to the client."""
    relationship = await grants.change_access(
        uow,
        caller,
        organisation_id,
        relationship_id,
        access=body.access,
        product_codes=body.product_codes,
        access_ends_at=body.access_ends_at,
    )
    return RelationshipView.of(relationship)


@router.put(
    "/partners/{relationship_id}/billing-mode",
    summary="Choose who pays (client only, full access only)",
    responses=ANSWERS,
    dependencies=[requires(PARTNERSHIP["relationships:write"])],
)
async def change_billing_mode(
    organisation_id: UUID, relationship_id: UUID, body: ChangeBillingMode, caller: CallerDep, uow: UowDep
) -> RelationshipView:
    """The client switches between client pays and partner pays; the partner is emailed."""
    relationship = await grants.change_billing_mode(
        uow, caller, organisation_id, relationship_id, body.billing_mode, body.effective_at
    )
    return RelationshipView.of(relationship)


@router.get(
    "/relationships/{relationship_id}/billing-modes",
    summary="The history of who pays",
    responses=PROBLEMS,
    dependencies=[requires(PARTNERSHIP["relationships:read"])],
)
async def billing_mode_history(
    organisation_id: UUID, relationship_id: UUID, caller: CallerDep, uow: UowDep
) -> list[BillingModeChangeView]:
    """Every choice of payer, oldest first, with its effective date."""
    relationship = await relationships.relationship_of(uow, caller, organisation_id, relationship_id)
    return [BillingModeChangeView.of(change) for change in relationship.billing_mode_changes]


@router.put(
    "/clients/{relationship_id}/staff",
    summary="Which partner users manage this client",
    responses=ANSWERS,
    dependencies=[requires(PARTNERSHIP["relationships:write"])],
)
async def set_staff(
    organisation_id: UUID, relationship_id: UUID, body: StaffPermissions, caller: CallerDep, uow: UowDep
) -> RelationshipView:
    """The partner's managers allow some of its users to manage this client (replacing the list)."""
    relationship = await grants.set_staff(uow, caller, organisation_id, relationship_id, body.user_ids)
    return RelationshipView.of(relationship)


@router.get(
    "/clients/{relationship_id}/access",
    summary="What the caller may manage for this client",
    responses=ANSWERS,
    dependencies=[requires(PARTNERSHIP["relationships:read"])],
)
async def partner_access(
    organisation_id: UUID,
    relationship_id: UUID,
    caller: CallerDep,
    uow: UowDep,
    product_code: Annotated[str | None, Query(max_length=64)] = None,
) -> PartnerAccessView:
    """The authorisation check for a partner user: 200 with the products it may manage; 403 without a staff
    permission, outside the products granted (``?product_code=``), or once access ended or expired; 404
    for outsiders."""
    relationship = await grants.partner_access(uow, caller, organisation_id, relationship_id, product_code)
    return PartnerAccessView.of(relationship)
