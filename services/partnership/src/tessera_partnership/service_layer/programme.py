"""Use cases of the partner programme: apply, be admitted or suspended, leave, tiers, affiliates."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from tessera_kit.auth import Caller
from tessera_kit.problems import Conflict, NotFound
from tessera_partnership.adapters.uow import PartnershipUnitOfWork
from tessera_partnership.adapters.website import WebsiteProbe
from tessera_partnership.domain.money import Money
from tessera_partnership.domain.programme import (
    ENTRY_TIER,
    Application,
    ConditionCheck,
    ManagedVolume,
    Partner,
    PartnerStatus,
    managed_volume_check,
    require_not_affiliate,
    require_not_partner,
    standing_conditions,
    tier_named,
    website_problem,
)
from tessera_partnership.service_layer import events
from tessera_partnership.service_layer.access import require_manager, require_member
from tessera_partnership.service_layer.problems import domain_rules
from tessera_partnership.service_layer.relationships import end_all_of_partner

YEAR = timedelta(days=365)


@dataclass(frozen=True)
class ApplicationForm:
    """What the applicant submits."""

    website_url: str
    accepts_reseller_terms: bool
    annual_commitment: Money
    registry_number: str | None = None


@dataclass(frozen=True)
class Standing:
    """A partner's place in the programme with what its benefits depend on (None: not looked up)."""

    partner: Partner
    managed_volume: ManagedVolume | None = None
    cashback: list[Money] | None = None

    @property
    def conditions(self) -> list[ConditionCheck] | None:
        """The volume condition: declared, and measured from billing's invoices."""
        return None if self.managed_volume is None else standing_conditions(self.partner, self.managed_volume)


async def apply(
    uow: PartnershipUnitOfWork,
    caller: Caller,
    organisation_id: UUID,
    form: ApplicationForm,
    probe: WebsiteProbe,
) -> tuple[Partner, list[ConditionCheck]]:
    """An organisation applies; every condition is checked and reported on its own (422 with the
    report when one fails)."""
    require_manager(caller, organisation_id)
    answered = None if website_problem(form.website_url) else await probe.answers(form.website_url.strip())
    async with uow:
        organisation = await uow.organisations.get(organisation_id, for_update=True)
        if organisation is None:
            raise NotFound(f"organisation {organisation_id} not found")
        existing = await uow.programme.partner(organisation_id, for_update=True)
        if existing is not None and existing.in_programme:
            raise Conflict(f"the organisation is already {existing.status.value} in the partner programme")
        with domain_rules():
            require_not_affiliate(await uow.programme.is_affiliate(organisation_id, for_update=True))
            partner, checks = Partner.admit_application(
                organisation_id,
                Application(
                    organisation_kind=organisation.kind,
                    country=organisation.country,
                    registry_number=form.registry_number or organisation.registry_number,
                    website_url=form.website_url,
                    website_answered=answered,
                    accepts_reseller_terms=form.accepts_reseller_terms,
                    annual_commitment=form.annual_commitment,
                ),
                now=uow.clock.now(),
            )
        await uow.programme.save_partner(partner)
        uow.emit(events.partner_status_changed(partner, None))
        await uow.commit()
    return partner, checks


async def change_status(
    uow: PartnershipUnitOfWork, caller_user_id: UUID, organisation_id: UUID, status: PartnerStatus
) -> Partner:
    """A programme administrator admits, suspends, reinstates or removes a partner (callers check the
    administrator's rights). Admission gives the entry tier; leaving ends the partner's relationships."""
    async with uow:
        partner = await _partner(uow, organisation_id)
        now = uow.clock.now()
        with domain_rules():
            previous = partner.move_to(status, now)
            if status is PartnerStatus.ACTIVE and partner.tier is None:
                tier = tier_named(ENTRY_TIER)
                partner.assign_tier(tier)
                uow.emit(events.partner_tier_assigned(partner, tier, now))
        if status is PartnerStatus.LEFT:
            await end_all_of_partner(uow, organisation_id, caller_user_id)
            await uow.directory.remove(organisation_id)
        await uow.programme.save_partner(partner)
        uow.emit(events.partner_status_changed(partner, previous))
        await uow.commit()
    return partner


async def leave(uow: PartnershipUnitOfWork, caller: Caller, organisation_id: UUID) -> Partner:
    """The partner itself leaves the programme."""
    require_manager(caller, organisation_id)
    return await change_status(uow, caller.user_id, organisation_id, PartnerStatus.LEFT)


async def assign_tier(uow: PartnershipUnitOfWork, organisation_id: UUID, tier_name: str) -> Partner:
    """A programme administrator gives a partner a benefit tier; billing hears the rates. A tier above the
    entry tier needs the managed volume of the last 12 months to reach the programme's minimum."""
    async with uow:
        partner = await _partner(uow, organisation_id)
        volume = await uow.programme.managed_volume(organisation_id, uow.clock.now() - YEAR)
        with domain_rules():
            tier = tier_named(tier_name)
            partner.assign_reviewed_tier(tier, managed_volume_check(partner, volume))
        await uow.programme.save_partner(partner)
        uow.emit(events.partner_tier_assigned(partner, tier, uow.clock.now()))
        await uow.commit()
    return partner


async def standing(uow: PartnershipUnitOfWork, organisation_id: UUID) -> Standing:
    """A partner's status, tier, the volume it managed (billing's invoices) and cashback it earned over
    the last 12 months, and the volume condition (callers check who may see it)."""
    async with uow:
        partner = await _partner(uow, organisation_id)
        since = uow.clock.now() - YEAR
        volume = await uow.programme.managed_volume(organisation_id, since)
        cashback = await uow.programme.cashback(organisation_id, since)
    return Standing(partner, volume, cashback)


async def own_standing(uow: PartnershipUnitOfWork, caller: Caller, organisation_id: UUID) -> Standing:
    """The partner's members see their own standing."""
    require_member(caller, organisation_id)
    return await standing(uow, organisation_id)


async def partners(uow: PartnershipUnitOfWork, status: PartnerStatus | None) -> list[Partner]:
    """Every partner, for the programme's administrators."""
    async with uow:
        return await uow.programme.partners(status)


async def join_affiliates(uow: PartnershipUnitOfWork, caller: Caller, organisation_id: UUID) -> datetime:
    """An organisation joins the affiliate programme, unless it is a partner."""
    require_manager(caller, organisation_id)
    async with uow:
        if await uow.organisations.get(organisation_id, for_update=True) is None:
            raise NotFound(f"organisation {organisation_id} not found")
        with domain_rules():
            require_not_partner(await uow.programme.partner(organisation_id, for_update=True))
        now = uow.clock.now()
        await uow.programme.add_affiliate(organisation_id, now)
        await uow.commit()
    return now


async def leave_affiliates(uow: PartnershipUnitOfWork, caller: Caller, organisation_id: UUID) -> None:
    """An affiliate leaves the affiliate programme."""
    require_manager(caller, organisation_id)
    async with uow:
        if not await uow.programme.remove_affiliate(organisation_id):
            raise NotFound("the organisation is not an affiliate")
        await uow.commit()


async def _partner(uow: PartnershipUnitOfWork, organisation_id: UUID) -> Partner:
    partner = await uow.programme.partner(organisation_id, for_update=True)
    if partner is None:
        raise NotFound(f"organisation {organisation_id} is not in the partner programme")
    return partner
