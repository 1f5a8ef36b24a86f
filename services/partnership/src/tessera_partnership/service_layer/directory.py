"""Use cases of the public directory: a partner opts in or out; anyone searches."""

from uuid import UUID

from tessera_kit.auth import Caller
from tessera_kit.problems import NotFound
from tessera_partnership.adapters.uow import PartnershipUnitOfWork
from tessera_partnership.domain.directory import DirectoryQuery, Listing
from tessera_partnership.domain.errors import PartnerNotActive
from tessera_partnership.domain.programme import PartnerStatus
from tessera_partnership.service_layer.access import require_manager, require_member
from tessera_partnership.service_layer.problems import domain_rules


async def list_partner(
    uow: PartnershipUnitOfWork,
    caller: Caller,
    organisation_id: UUID,
    *,
    website_url: str,
    languages: list[str],
    specialties: list[str],
    description: str,
    accepts_offer_requests: bool,
) -> Listing:
    """An active partner opts in to the directory (or updates its entry); its name and country come from
    its organisation."""
    require_manager(caller, organisation_id)
    async with uow:
        partner = await uow.programme.partner(organisation_id)
        organisation = await uow.organisations.get(organisation_id)
        with domain_rules():
            if partner is None or partner.status is not PartnerStatus.ACTIVE or organisation is None:
                raise PartnerNotActive("only active partners of the programme can be listed")
            listing = Listing.of(
                organisation_id=organisation_id,
                name=organisation.name,
                website_url=website_url,
                country=organisation.country,
                languages=languages,
                specialties=specialties,
                description=description,
                accepts_offer_requests=accepts_offer_requests,
                now=uow.clock.now(),
            )
        await uow.directory.save(listing)
        await uow.commit()
    return listing


async def own_listing(uow: PartnershipUnitOfWork, caller: Caller, organisation_id: UUID) -> Listing:
    """The partner's own entry."""
    require_member(caller, organisation_id)
    async with uow:
        listing = await uow.directory.get(organisation_id)
    if listing is None:
        raise NotFound("the organisation is not listed in the directory")
    return listing


async def unlist_partner(uow: PartnershipUnitOfWork, caller: Caller, organisation_id: UUID) -> None:
    """A partner opts out: it disappears from the directory and receives no more offer requests."""
    require_manager(caller, organisation_id)
    async with uow:
        if not await uow.directory.remove(organisation_id):
            raise NotFound("the organisation is not listed in the directory")
        await uow.commit()


async def search(uow: PartnershipUnitOfWork, query: DirectoryQuery) -> list[Listing]:
    """Listed active partners matching the query (public)."""
    async with uow:
        return await uow.directory.search(query)
