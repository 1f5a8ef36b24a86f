"""Use cases of partner-client relationships: propose, accept or decline, end, and look them up."""

from datetime import datetime, timedelta
from uuid import UUID

from tessera_kit.auth import Caller
from tessera_kit.problems import Conflict, NotFound
from tessera_partnership.adapters.uow import PartnershipUnitOfWork
from tessera_partnership.domain.programme import require_admitted_partner
from tessera_partnership.domain.relationship import (
    Access,
    AccessScope,
    EndReason,
    Relationship,
    RelationshipStatus,
    Side,
)
from tessera_partnership.service_layer import events
from tessera_partnership.service_layer.access import may_see, on_side, require_manager, require_member
from tessera_partnership.service_layer.problems import domain_rules


async def propose(
    uow: PartnershipUnitOfWork,
    caller: Caller,
    *,
    acting_organisation_id: UUID,
    side: Side,
    other_organisation_id: UUID,
    access: Access,
    product_codes: list[str],
    access_ends_at: datetime | None,
    valid_for: timedelta,
) -> Relationship:
    """A partner invites a client, or a client asks a partner to manage its products; the other side
    accepts before the proposal expires. The partner must be active in the partner programme."""
    require_manager(caller, acting_organisation_id)
    partner_id, client_id = (
        (acting_organisation_id, other_organisation_id)
        if side is Side.PARTNER
        else (other_organisation_id, acting_organisation_id)
    )
    async with uow:
        now = uow.clock.now()
        for organisation_id in (acting_organisation_id, other_organisation_id):
            if await uow.organisations.get(organisation_id) is None:
                raise NotFound(f"organisation {organisation_id} not found")
        with domain_rules():
            relationship = Relationship.propose(
                partner_organisation_id=partner_id,
                client_organisation_id=client_id,
                scope=AccessScope.of(access, product_codes, access_ends_at, now),
                proposed_by=side,
                proposed_by_user_id=caller.user_id,
                now=now,
                valid_for=valid_for,
            )
        await _require_admitted_partner(uow, partner_id)
        current = await uow.relationships.current_between(partner_id, client_id, for_update=True)
        if current is not None:
            if not current.lapse(now):
                raise Conflict(f"this partner and client already have a {current.status.value} relationship")
            await uow.relationships.save(current)
        if not await uow.relationships.add(relationship):
            raise Conflict("this partner and client already have a proposed or active relationship")
        uow.emit(events.relationship_proposed(relationship))
        await uow.commit()
    return relationship


async def accept(
    uow: PartnershipUnitOfWork, caller: Caller, organisation_id: UUID, relationship_id: UUID
) -> Relationship:
    """The invited client or the asked partner accepts: the relationship starts, the client paying (only
    while the partner is active in the partner programme)."""
    require_manager(caller, organisation_id)
    async with uow:
        relationship = await _locked(uow, organisation_id, relationship_id)
        await _require_admitted_partner(uow, relationship.partner_organisation_id)
        with domain_rules():
            relationship.accept(accepting_side=relationship.side_of(organisation_id), now=uow.clock.now())
        await uow.relationships.save(relationship)
        uow.emit(events.relationship_started(relationship))
        await uow.commit()
    return relationship


async def decline(
    uow: PartnershipUnitOfWork, caller: Caller, organisation_id: UUID, relationship_id: UUID
) -> Relationship:
    """The other side declines a proposal, or its author withdraws it; nothing starts."""
    require_manager(caller, organisation_id)
    async with uow:
        relationship = await _locked(uow, organisation_id, relationship_id)
        with domain_rules():
            relationship.decline(declining_side=relationship.side_of(organisation_id), now=uow.clock.now())
        await uow.relationships.save(relationship)
        await uow.commit()
    return relationship


async def end(
    uow: PartnershipUnitOfWork, caller: Caller, organisation_id: UUID, relationship_id: UUID
) -> Relationship:
    """Either side stops the relationship: access is revoked, billing returns to the client for future
    charges, and both sides are e-mailed (notify reacts to RelationshipEnded)."""
    require_manager(caller, organisation_id)
    async with uow:
        relationship = await _locked(uow, organisation_id, relationship_id)
        reason = (
            EndReason.STOPPED_BY_CLIENT
            if relationship.side_of(organisation_id) is Side.CLIENT
            else EndReason.STOPPED_BY_PARTNER
        )
        with domain_rules():
            relationship.end(reason, ended_by_user_id=caller.user_id, now=uow.clock.now())
        await uow.relationships.save(relationship)
        uow.emit(events.relationship_ended(relationship))
        await uow.commit()
    return relationship


async def end_all_of_partner(uow: PartnershipUnitOfWork, partner_id: UUID, user_id: UUID | None) -> None:
    """A partner left the programme: its relationships end and its pending proposals are withdrawn
    (inside the caller's transaction)."""
    now = uow.clock.now()
    current = await uow.relationships.involving(
        partner_id, as_client=False, statuses=(RelationshipStatus.ACTIVE, RelationshipStatus.PROPOSED)
    )
    for relationship in current:
        if relationship.status is RelationshipStatus.ACTIVE:
            relationship.end(EndReason.PARTNER_LEFT_PROGRAMME, ended_by_user_id=user_id, now=now)
            uow.emit(events.relationship_ended(relationship))
        elif relationship.is_pending(now):
            relationship.decline(declining_side=Side.PARTNER, now=now)
        else:
            relationship.lapse(now)
        await uow.relationships.save(relationship)


async def relationship_of(
    uow: PartnershipUnitOfWork, caller: Caller, organisation_id: UUID, relationship_id: UUID
) -> Relationship:
    """One relationship, seen from either side by those allowed to see it."""
    require_member(caller, organisation_id)
    async with uow:
        relationship = await uow.relationships.get(relationship_id)
    if relationship is None or not may_see(caller, on_side(relationship, organisation_id), organisation_id):
        raise NotFound(f"relationship {relationship_id} not found")
    return relationship


async def relationships_of(
    uow: PartnershipUnitOfWork,
    caller: Caller,
    organisation_id: UUID,
    *,
    as_client: bool,
    statuses: tuple[RelationshipStatus, ...] = (),
) -> list[Relationship]:
    """The organisation's partners (as a client) or clients (as a partner), as far as the caller may see."""
    require_member(caller, organisation_id)
    async with uow:
        found = await uow.relationships.involving(organisation_id, as_client=as_client, statuses=statuses)
    return [relationship for relationship in found if may_see(caller, relationship, organisation_id)]


async def _locked(uow: PartnershipUnitOfWork, organisation_id: UUID, relationship_id: UUID) -> Relationship:
    relationship = await uow.relationships.get(relationship_id, for_update=True)
    if relationship is None:
        raise NotFound(f"relationship {relationship_id} not found")
    return on_side(relationship, organisation_id)


async def _require_admitted_partner(uow: PartnershipUnitOfWork, partner_id: UUID) -> None:
    partner = await uow.programme.partner(partner_id)
    with domain_rules():
        require_admitted_partner(partner)
