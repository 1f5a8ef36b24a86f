"""Use cases of partner-client relationships: start one, choose who pays, look them up."""

from datetime import datetime
from uuid import UUID

from tessera_events import partnership as contract
from tessera_kit.auth import Caller
from tessera_kit.problems import Conflict, Forbidden, InvalidInput, NotFound, Problem
from tessera_partnership.adapters.uow import PartnershipUnitOfWork
from tessera_partnership.domain import errors
from tessera_partnership.domain.relationship import Access, BillingMode, Relationship
from tessera_partnership.service_layer.access import acting_organisation, require_manager

_PROBLEMS: dict[type[errors.PartnershipError], type[Problem]] = {
    errors.PartnerIsClient: InvalidInput,
    errors.EffectiveDateInPast: InvalidInput,
    errors.OnlyClientChoosesPayer: Forbidden,
    errors.BillingModeNeedsFullAccess: Conflict,
    errors.BillingModeUnchanged: Conflict,
}


def _problem(error: errors.PartnershipError) -> Problem:
    return _PROBLEMS[type(error)](str(error))


async def start_relationship(
    uow: PartnershipUnitOfWork, caller: Caller, client_id: UUID, partner_id: UUID, access: Access
) -> Relationship:
    """The client lets a partner manage its products, with full or restricted access."""
    require_manager(caller, client_id)
    async with uow:
        if await uow.organisations.get(partner_id) is None:
            raise NotFound(f"partner organisation {partner_id} not found")
        if await uow.relationships.between(partner_id, client_id) is not None:
            raise Conflict("this partner already manages this client")
        try:
            relationship = Relationship.start(
                partner_organisation_id=partner_id,
                client_organisation_id=client_id,
                access=access,
                now=uow.clock.now(),
            )
        except errors.PartnershipError as error:
            raise _problem(error) from error
        await uow.relationships.add(relationship)
        uow.emit(
            contract.RelationshipStarted(
                relationship_id=relationship.id,
                partner_organisation_id=partner_id,
                client_organisation_id=client_id,
                access=contract.Access(access.value),
                billing_mode=contract.BillingMode(relationship.billing_mode.value),
                started_at=relationship.started_at,
            )
        )
        await uow.commit()
    return relationship


async def change_billing_mode(
    uow: PartnershipUnitOfWork,
    caller: Caller,
    client_id: UUID,
    relationship_id: UUID,
    new_mode: BillingMode,
    effective_at: datetime | None,
) -> Relationship:
    """The client chooses who pays for what the partner manages, from now or a later date."""
    async with uow:
        relationship = await uow.relationships.get(relationship_id, for_update=True)
        if relationship is None or relationship.client_organisation_id != client_id:
            raise NotFound(f"relationship {relationship_id} not found")
        try:
            change = relationship.change_billing_mode(
                new_mode,
                acting_organisation_id=acting_organisation(caller, relationship),
                changed_by_user_id=caller.user_id,
                effective_at=effective_at,
                now=uow.clock.now(),
            )
        except errors.PartnershipError as error:
            raise _problem(error) from error
        await uow.relationships.save_billing_mode_change(relationship, change)
        uow.emit(
            contract.BillingModeChanged(
                relationship_id=relationship.id,
                partner_organisation_id=relationship.partner_organisation_id,
                client_organisation_id=relationship.client_organisation_id,
                previous_mode=contract.BillingMode(change.previous_mode.value),
                billing_mode=contract.BillingMode(change.billing_mode.value),
                effective_at=change.effective_at,
                changed_by_user_id=change.changed_by_user_id,
            )
        )
        await uow.commit()
    return relationship


async def relationship_of(
    uow: PartnershipUnitOfWork, caller: Caller, organisation_id: UUID, relationship_id: UUID
) -> Relationship:
    """One relationship, seen from either side by one of that side's members."""
    if not caller.is_member_of(organisation_id):
        raise NotFound(f"relationship {relationship_id} not found")
    async with uow:
        relationship = await uow.relationships.get(relationship_id)
    if relationship is None or organisation_id not in (
        relationship.client_organisation_id,
        relationship.partner_organisation_id,
    ):
        raise NotFound(f"relationship {relationship_id} not found")
    return relationship


async def relationships_of(
    uow: PartnershipUnitOfWork, caller: Caller, organisation_id: UUID, *, as_client: bool
) -> list[Relationship]:
    """The organisation's partners (as a client) or clients (as a partner), for its members."""
    if not caller.is_member_of(organisation_id):
        raise NotFound(f"organisation {organisation_id} not found")
    async with uow:
        return await uow.relationships.involving(organisation_id, as_client=as_client)
