"""Use cases on a relationship in force: what the partner may manage, who pays, which partner users act."""

from datetime import datetime
from uuid import UUID

from tessera_kit.auth import Caller
from tessera_kit.problems import NotFound
from tessera_partnership.adapters.uow import PartnershipUnitOfWork
from tessera_partnership.domain.programme import require_partner_may_act, require_partner_may_pay
from tessera_partnership.domain.relationship import Access, AccessScope, BillingMode, Relationship
from tessera_partnership.service_layer import events
from tessera_partnership.service_layer.access import require_manager, require_partner_user
from tessera_partnership.service_layer.problems import domain_rules


async def change_access(
    uow: PartnershipUnitOfWork,
    caller: Caller,
    organisation_id: UUID,
    relationship_id: UUID,
    *,
    access: Access,
    product_codes: list[str],
    access_ends_at: datetime | None,
) -> Relationship:
    """The client changes what its partner may manage and until when. Restricting access while the
    partner pays returns billing to the client; AccessChanged says so."""
    require_manager(caller, organisation_id)
    async with uow:
        relationship = await _locked(uow, organisation_id, relationship_id)
        now = uow.clock.now()
        with domain_rules():
            scope = AccessScope.of(access, product_codes, access_ends_at, now)
            relationship.change_access(
                scope,
                acting_side=relationship.side_of(organisation_id),
                changed_by_user_id=caller.user_id,
                now=now,
            )
        await uow.relationships.save(relationship)
        uow.emit(events.access_changed(relationship, caller.user_id, now))
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
    """The client chooses who pays for what the partner manages, from now or a later date. Billing may
    always return to the client; it moves to the partner only while the partner is active."""
    async with uow:
        relationship = await uow.relationships.get(relationship_id, for_update=True)
        if relationship is None or relationship.client_organisation_id != client_id:
            raise NotFound(f"relationship {relationship_id} not found")
        acting = _acting_organisation(caller, relationship)
        partner = await uow.programme.partner(relationship.partner_organisation_id)
        with domain_rules():
            if new_mode is BillingMode.PARTNER_PAYS and acting == client_id:
                require_partner_may_pay(partner)
            relationship.change_billing_mode(
                new_mode,
                acting_organisation_id=acting,
                changed_by_user_id=caller.user_id,
                effective_at=effective_at,
                now=uow.clock.now(),
            )
        await uow.relationships.save(relationship)
        uow.emit(events.billing_mode_changed(relationship))
        await uow.commit()
    return relationship


async def set_staff(
    uow: PartnershipUnitOfWork, caller: Caller, partner_id: UUID, relationship_id: UUID, user_ids: list[UUID]
) -> Relationship:
    """The partner's managers name which of its users may manage this client; billing and wallet hear of
    it (PartnerStaffChanged) when the list changed."""
    require_manager(caller, partner_id)
    async with uow:
        relationship = await uow.relationships.get(relationship_id, for_update=True)
        if relationship is None or relationship.partner_organisation_id != partner_id:
            raise NotFound(f"relationship {relationship_id} not found")
        staff = await uow.organisations.members(partner_id)
        with domain_rules():
            changed = relationship.set_staff(frozenset(user_ids), partner_staff=staff)
        if changed:
            await uow.relationships.save(relationship)
            uow.emit(events.partner_staff_changed(relationship, caller.user_id, uow.clock.now()))
            await uow.commit()
    return relationship


async def partner_access(
    uow: PartnershipUnitOfWork,
    caller: Caller,
    partner_id: UUID,
    relationship_id: UUID,
    product_code: str | None = None,
) -> Relationship:
    """What the calling partner user may manage for this client, refused unless the partner is active in
    the programme, the access is in force (and covers ``product_code`` when one is named) and the user
    holds a staff permission (or manages the partner)."""
    async with uow:
        relationship = await uow.relationships.get(relationship_id)
        partner = await uow.programme.partner(partner_id)
        now = uow.clock.now()
    if relationship is None or relationship.partner_organisation_id != partner_id:
        raise NotFound(f"relationship {relationship_id} not found")
    require_partner_user(caller, relationship, now, product_code)
    with domain_rules():
        require_partner_may_act(partner)
    return relationship


async def _locked(uow: PartnershipUnitOfWork, organisation_id: UUID, relationship_id: UUID) -> Relationship:
    relationship = await uow.relationships.get(relationship_id, for_update=True)
    if relationship is None or organisation_id not in (
        relationship.client_organisation_id,
        relationship.partner_organisation_id,
    ):
        raise NotFound(f"relationship {relationship_id} not found")
    return relationship


def _acting_organisation(caller: Caller, relationship: Relationship) -> UUID:
    """The side the caller acts for (the client first), as one of its managers; 404 for outsiders."""
    for side in (relationship.client_organisation_id, relationship.partner_organisation_id):
        if caller.is_member_of(side):
            require_manager(caller, side)
            return side
    raise NotFound(f"relationship {relationship.id} not found")
