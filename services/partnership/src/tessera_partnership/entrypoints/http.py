"""Partnership's HTTP API: relationships seen by clients and partners, and the choice of payer."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request, status

from tessera_kit.auth import Caller, authenticated_caller
from tessera_kit.service import runtime_of
from tessera_partnership.adapters.uow import PartnershipUnitOfWork
from tessera_partnership.entrypoints.schemas import ChangeBillingMode, RelationshipView, StartRelationship
from tessera_partnership.service_layer import relationships

router = APIRouter(prefix="/v1/organisations/{organisation_id}", tags=["relationships"])
CallerDep = Annotated[Caller, Depends(authenticated_caller)]


def unit_of_work(request: Request) -> PartnershipUnitOfWork:
    """A fresh unit of work for one request."""
    uow: PartnershipUnitOfWork = runtime_of(request).unit_of_work()
    return uow


UowDep = Annotated[PartnershipUnitOfWork, Depends(unit_of_work)]
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid access token"},
    403: {"description": "Not allowed for the caller's role or side"},
    404: {"description": "Unknown, or not visible to the caller"},
}


@router.post(
    "/partners",
    status_code=status.HTTP_201_CREATED,
    summary="Let a partner manage this client's products",
    responses={**PROBLEMS, 409: {"description": "This partner already manages this client"}},
)
async def start_relationship(
    organisation_id: UUID, body: StartRelationship, caller: CallerDep, uow: UowDep
) -> RelationshipView:
    """The client (a legal representative or administrator) grants a partner full or restricted access."""
    relationship = await relationships.start_relationship(
        uow, caller, organisation_id, body.partner_organisation_id, body.access
    )
    return RelationshipView.of(relationship)


@router.get("/partners", summary="This client's partners")
async def list_partners(organisation_id: UUID, caller: CallerDep, uow: UowDep) -> list[RelationshipView]:
    """Relationships in which the organisation is the client."""
    found = await relationships.relationships_of(uow, caller, organisation_id, as_client=True)
    return [RelationshipView.of(relationship) for relationship in found]


@router.get("/clients", summary="This partner's clients")
async def list_clients(organisation_id: UUID, caller: CallerDep, uow: UowDep) -> list[RelationshipView]:
    """Relationships in which the organisation is the partner."""
    found = await relationships.relationships_of(uow, caller, organisation_id, as_client=False)
    return [RelationshipView.of(relationship) for relationship in found]


@router.get("/relationships/{relationship_id}", summary="One relationship", responses=PROBLEMS)
async def get_relationship(
    organisation_id: UUID, relationship_id: UUID, caller: CallerDep, uow: UowDep
) -> RelationshipView:
    """A relationship seen from either side."""
    relationship = await relationships.relationship_of(uow, caller, organisation_id, relationship_id)
    return RelationshipView.of(relationship)


@router.put(
    "/partners/{relationship_id}/billing-mode",
    summary="Choose who pays (client only, full access only)",
    responses={
        **PROBLEMS,
        409: {"description": "Restricted access, or the mode is already in use"},
        422: {"description": "Invalid mode or an effective date in the past"},
    },
)
async def change_billing_mode(
    organisation_id: UUID, relationship_id: UUID, body: ChangeBillingMode, caller: CallerDep, uow: UowDep
) -> RelationshipView:
    """The client switches between client pays and partner pays; the partner is emailed."""
    relationship = await relationships.change_billing_mode(
        uow, caller, organisation_id, relationship_id, body.billing_mode, body.effective_at
    )
    return RelationshipView.of(relationship)
