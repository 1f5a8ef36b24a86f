"""Partnership's HTTP API for the partner programme: applications, standing, administrators, affiliates."""

from uuid import UUID

from fastapi import APIRouter, Response, status

from tessera_kit.permissions import PARTNERSHIP, public, requires
from tessera_partnership.adapters.website import HttpWebsiteProbe, NoWebsiteProbe, WebsiteProbe
from tessera_partnership.config import PartnershipSettings
from tessera_partnership.domain.money import Money
from tessera_partnership.domain.programme import TIERS, PartnerStatus
from tessera_partnership.entrypoints.dependencies import (
    CONFLICT,
    INVALID,
    PROBLEMS,
    CallerDep,
    SettingsDep,
    UowDep,
)
from tessera_partnership.entrypoints.programme_schemas import (
    AffiliateView,
    ApplicationView,
    ApplyToProgramme,
    AssignTier,
    ChangePartnerStatus,
    ConditionView,
    PartnerView,
    TierView,
)
from tessera_partnership.service_layer import programme
from tessera_partnership.service_layer.access import require_programme_admin

router = APIRouter(tags=["partner programme"])
ANSWERS = {**PROBLEMS, **CONFLICT, **INVALID}


def website_probe(settings: PartnershipSettings) -> WebsiteProbe:
    """A real fetch of the applicant's website, unless switched off (PARTNERSHIP_WEBSITE_CHECK_ENABLED)."""
    if settings.website_check_enabled:
        return HttpWebsiteProbe(settings.website_check_timeout_seconds)
    return NoWebsiteProbe()


@router.post(
    "/v1/organisations/{organisation_id}/partner-programme/application",
    status_code=status.HTTP_201_CREATED,
    summary="Apply to the partner programme",
    responses={
        **ANSWERS,
        422: {"description": "A condition is not met: `conditions` lists each one with met and detail"},
    },
    dependencies=[requires(PARTNERSHIP["programme:write"])],
)
async def apply(
    organisation_id: UUID, body: ApplyToProgramme, caller: CallerDep, uow: UowDep, settings: SettingsDep
) -> ApplicationView:
    """A company applies: it is a company, its registry number is valid, its website is active, it accepts
    the reseller terms and commits to CHF 2000 / EUR 1800 a year. Each condition is reported separately."""
    partner, checks = await programme.apply(
        uow,
        caller,
        organisation_id,
        programme.ApplicationForm(
            website_url=body.website_url,
            accepts_reseller_terms=body.accepts_reseller_terms,
            annual_commitment=Money(body.annual_commitment.amount_minor, body.annual_commitment.currency),
            registry_number=body.registry_number,
        ),
        website_probe(settings),
    )
    return ApplicationView(
        partner=PartnerView.of(programme.Standing(partner)),
        conditions=[ConditionView.of(c) for c in checks],
    )


@router.get(
    "/v1/organisations/{organisation_id}/partner-programme",
    summary="This partner's standing",
    responses=PROBLEMS,
    dependencies=[requires(PARTNERSHIP["programme:read"])],
)
async def own_standing(organisation_id: UUID, caller: CallerDep, uow: UowDep) -> PartnerView:
    """Status, tier, managed volume and cashback over the last 12 months, for the partner's members."""
    return PartnerView.of(await programme.own_standing(uow, caller, organisation_id))


@router.post(
    "/v1/organisations/{organisation_id}/partner-programme/leave",
    summary="Leave the programme",
    responses=ANSWERS,
    dependencies=[requires(PARTNERSHIP["programme:write"])],
)
async def leave(organisation_id: UUID, caller: CallerDep, uow: UowDep) -> PartnerView:
    """The partner leaves: its relationships end (billing returns to the clients); it leaves the directory."""
    partner = await programme.leave(uow, caller, organisation_id)
    return PartnerView.of(programme.Standing(partner))


@router.put(
    "/v1/organisations/{organisation_id}/affiliate",
    summary="Join the affiliate programme",
    responses=ANSWERS,
    dependencies=[requires(PARTNERSHIP["programme:write"])],
)
async def join_affiliates(organisation_id: UUID, caller: CallerDep, uow: UowDep) -> AffiliateView:
    """Recommend products for commission; refused (409) while the organisation is in the partner programme."""
    joined_at = await programme.join_affiliates(uow, caller, organisation_id)
    return AffiliateView(organisation_id=organisation_id, joined_at=joined_at)


@router.delete(
    "/v1/organisations/{organisation_id}/affiliate",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Leave the affiliate programme",
    responses=PROBLEMS,
    dependencies=[requires(PARTNERSHIP["programme:write"])],
)
async def leave_affiliates(organisation_id: UUID, caller: CallerDep, uow: UowDep) -> Response:
    """The organisation is no longer an affiliate (and may then apply to the partner programme)."""
    await programme.leave_affiliates(uow, caller, organisation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/v1/partner-programme/tiers", summary="The benefit tiers", dependencies=[public()])
async def tiers() -> list[TierView]:
    """Every tier with its reseller discount and cashback (basis points; at most 3500 = 35 %). Public."""
    return [TierView.of(tier) for tier in TIERS.values()]


@router.get(
    "/v1/partner-programme/partners",
    summary="Every partner (administrators)",
    responses=PROBLEMS,
    dependencies=[requires(PARTNERSHIP["programme:read"])],
)
async def partners(
    caller: CallerDep, uow: UowDep, settings: SettingsDep, status: PartnerStatus | None = None
) -> list[PartnerView]:
    """Applications and partners, e.g. ``?status=applied`` for the applications waiting for a decision."""
    require_programme_admin(caller, settings.programme_admin_organisation_ids)
    return [PartnerView.of(programme.Standing(p)) for p in await programme.partners(uow, status)]


@router.get(
    "/v1/partner-programme/partners/{organisation_id}",
    summary="One partner (administrators)",
    responses=PROBLEMS,
    dependencies=[requires(PARTNERSHIP["programme:read"])],
)
async def partner(
    organisation_id: UUID, caller: CallerDep, uow: UowDep, settings: SettingsDep
) -> PartnerView:
    """A partner's standing with its managed volume and cashback over the last 12 months."""
    require_programme_admin(caller, settings.programme_admin_organisation_ids)
    return PartnerView.of(await programme.standing(uow, organisation_id))


@router.put(
    "/v1/partner-programme/partners/{organisation_id}/status",
    summary="Admit, suspend, remove",
    responses=ANSWERS,
    dependencies=[requires(PARTNERSHIP["programme:write"])],
)
async def change_status(
    organisation_id: UUID, body: ChangePartnerStatus, caller: CallerDep, uow: UowDep, settings: SettingsDep
) -> PartnerView:
    """applied → active (with the entry tier) → suspended ↔ active; any → left (its relationships end)."""
    require_programme_admin(caller, settings.programme_admin_organisation_ids)
    partner = await programme.change_status(uow, caller.user_id, organisation_id, PartnerStatus(body.status))
    return PartnerView.of(programme.Standing(partner))


@router.put(
    "/v1/partner-programme/partners/{organisation_id}/tier",
    summary="Assign a tier",
    responses=ANSWERS,
    dependencies=[requires(PARTNERSHIP["programme:write"])],
)
async def assign_tier(
    organisation_id: UUID, body: AssignTier, caller: CallerDep, uow: UowDep, settings: SettingsDep
) -> PartnerView:
    """Give an active or suspended partner a benefit tier; billing applies its rates (PartnerTierAssigned).
    A tier above the entry tier needs the managed volume the programme requires (409 otherwise)."""
    require_programme_admin(caller, settings.programme_admin_organisation_ids)
    partner = await programme.assign_tier(uow, organisation_id, body.tier)
    return PartnerView.of(programme.Standing(partner))
