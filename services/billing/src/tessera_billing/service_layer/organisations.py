"""Use cases fed by identity's events: what billing knows of organisations for tax.

They run inside the consumer's unit of work (the kit records the event and commits).
"""

from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_events.identity import OrganisationRegistered, OrganisationUpdated


async def record_organisation(
    uow: BillingUnitOfWork, organisation: OrganisationRegistered | OrganisationUpdated
) -> None:
    """Keep an organisation's name, kind, country and VAT number; the next invoice's tax follows them."""
    at = (
        organisation.registered_at
        if isinstance(organisation, OrganisationRegistered)
        else organisation.updated_at
    )
    await uow.parties.record_organisation(
        organisation_id=organisation.organisation_id,
        name=organisation.name,
        kind=organisation.kind.value,
        country=organisation.country,
        vat_number=organisation.vat_number,
        at=at,
    )
