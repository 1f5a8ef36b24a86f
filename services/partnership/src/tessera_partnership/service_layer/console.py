"""The partner console: its clients with their access and billing mode, and what it earned."""

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from tessera_kit.auth import Caller
from tessera_partnership.adapters.uow import PartnershipUnitOfWork
from tessera_partnership.domain.money import Money
from tessera_partnership.domain.programme import Partner
from tessera_partnership.domain.relationship import Relationship, RelationshipStatus
from tessera_partnership.service_layer.access import is_manager, may_see, require_member

YEAR = timedelta(days=365)


@dataclass(frozen=True)
class ConsoleClient:
    """One client as the partner's console shows it."""

    relationship: Relationship
    client_name: str
    paid_last_12_months: list[Money]


@dataclass(frozen=True)
class Console:
    """What a partner user sees."""

    partner: Partner | None
    clients: list[ConsoleClient]
    pending: list[Relationship]
    managed_volume: list[Money] | None  # managers only
    cashback: list[Money] | None  # managers only


async def console(uow: PartnershipUnitOfWork, caller: Caller, partner_id: UUID) -> Console:
    """The clients the caller may manage (every client for the partner's managers), pending proposals,
    and for managers the last 12 months' managed volume and cashback (projections of billing's events).
    A suspended partner still sees its console: it reads its own records, it acts for no client."""
    require_member(caller, partner_id)
    manager = is_manager(caller, partner_id)
    async with uow:
        since = uow.clock.now() - YEAR
        found = await uow.relationships.involving(
            partner_id, as_client=False, statuses=(RelationshipStatus.ACTIVE, RelationshipStatus.PROPOSED)
        )
        visible = [r for r in found if may_see(caller, r, partner_id)]
        names = await uow.organisations.names([r.client_organisation_id for r in visible])
        per_client = await uow.programme.volume_by_client(partner_id, since)
        partner = await uow.programme.partner(partner_id)
        volume = list((await uow.programme.managed_volume(partner_id, since)).total) if manager else None
        cashback = await uow.programme.cashback(partner_id, since) if manager else None
    active = [r for r in visible if r.status is RelationshipStatus.ACTIVE]
    return Console(
        partner=partner,
        clients=[
            ConsoleClient(
                r, names.get(r.client_organisation_id, ""), per_client.get(r.client_organisation_id, [])
            )
            for r in active
        ],
        pending=[r for r in visible if r.status is RelationshipStatus.PROPOSED],
        managed_volume=volume,
        cashback=cashback,
    )
