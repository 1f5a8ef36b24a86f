"""Use cases fed by identity's events: what billing knows of organisations for tax.

They run inside the consumer's unit of work (the kit records the events and commits).
"""

from collections.abc import Sequence

from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.domain.tax import OrganisationFacts
from tessera_events.identity import OrganisationRegistered, OrganisationUpdated


async def record_organisation(
    uow: BillingUnitOfWork, organisation: OrganisationRegistered | OrganisationUpdated
) -> None:
    """Keep an organisation's name, kind, country and VAT number; the next invoice's tax follows them."""
    await record_organisations(uow, [organisation])


async def record_organisations(
    uow: BillingUnitOfWork, organisations: Sequence[OrganisationRegistered | OrganisationUpdated]
) -> None:
    """The same for a batch of events at once (the latest facts of each organisation win)."""
    await uow.parties.record_organisations([_facts(organisation) for organisation in organisations])


def _facts(organisation: OrganisationRegistered | OrganisationUpdated) -> OrganisationFacts:
    at = (
        organisation.registered_at
        if isinstance(organisation, OrganisationRegistered)
        else organisation.updated_at
    )
    return OrganisationFacts(
        organisation_id=organisation.organisation_id,
        name=organisation.name,
        kind=organisation.kind.value,
        country=organisation.country,
        vat_number=organisation.vat_number,
        at=at,
    )
