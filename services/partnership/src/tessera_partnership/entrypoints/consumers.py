"""The events partnership reacts to."""

from tessera_events import CloudEvent
from tessera_events.identity import OrganisationRegistered
from tessera_kit.consumers import EventHandlers
from tessera_partnership.adapters.uow import PartnershipUnitOfWork
from tessera_partnership.service_layer.organisations import record_organisation

handlers: EventHandlers[PartnershipUnitOfWork] = EventHandlers()


@handlers.on(OrganisationRegistered)
async def on_organisation_registered(
    event: CloudEvent[OrganisationRegistered], uow: PartnershipUnitOfWork
) -> None:
    """Know of every organisation, so a client can name it as its partner."""
    await record_organisation(uow, event.data)
