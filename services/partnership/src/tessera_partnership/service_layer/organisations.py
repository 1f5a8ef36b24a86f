"""Keeping partnership's view of organisations up to date."""

from tessera_events.identity import OrganisationRegistered
from tessera_partnership.adapters.uow import PartnershipUnitOfWork
from tessera_partnership.domain.organisation import Organisation


async def record_organisation(uow: PartnershipUnitOfWork, registered: OrganisationRegistered) -> None:
    """Remember an organisation identity registered (inside the consumer's transaction)."""
    await uow.organisations.upsert(
        Organisation(
            id=registered.organisation_id,
            name=registered.name,
            kind=registered.kind.value,
            country=registered.country,
        )
    )
