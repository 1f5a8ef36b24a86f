"""The events billing reacts to; each handler hands its event to a use case (the kit commits)."""

from collections.abc import Sequence

from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.service_layer.organisations import record_organisation, record_organisations
from tessera_billing.service_layer.partnerships import (
    change_access,
    change_staff,
    end_relationship,
    record_partner_status,
    record_partner_tier,
    record_relationship_started,
    switch_billing_mode,
)
from tessera_events import CloudEvent
from tessera_events.identity import OrganisationRegistered, OrganisationUpdated
from tessera_events.partnership import (
    AccessChanged,
    BillingModeChanged,
    PartnerStaffChanged,
    PartnerStatusChanged,
    PartnerTierAssigned,
    RelationshipEnded,
    RelationshipStarted,
)
from tessera_kit.consumers import EventHandlers

handlers: EventHandlers[BillingUnitOfWork] = EventHandlers()


@handlers.on(RelationshipStarted)
async def apply_relationship_started(event: CloudEvent[RelationshipStarted], uow: BillingUnitOfWork) -> None:
    """A partner now manages a client: keep the relationship and its billing mode."""
    await record_relationship_started(uow, event.data)


@handlers.on(BillingModeChanged)
async def apply_billing_mode_changed(event: CloudEvent[BillingModeChanged], uow: BillingUnitOfWork) -> None:
    """The client chose who pays: move the managed subscriptions' renewals to that payer."""
    await switch_billing_mode(uow, event.data)


@handlers.on(AccessChanged)
async def apply_access_changed(event: CloudEvent[AccessChanged], uow: BillingUnitOfWork) -> None:
    """The client changed what the partner manages; restricted access means the client pays."""
    await change_access(uow, event.data)


@handlers.on(RelationshipEnded)
async def apply_relationship_ended(event: CloudEvent[RelationshipEnded], uow: BillingUnitOfWork) -> None:
    """The partner no longer manages the client: future charges go to the client."""
    await end_relationship(uow, event.data)


@handlers.on(PartnerStaffChanged)
async def apply_partner_staff_changed(event: CloudEvent[PartnerStaffChanged], uow: BillingUnitOfWork) -> None:
    """Who of the partner's members may act for the client."""
    await change_staff(uow, event.data)


@handlers.on(PartnerStatusChanged)
async def apply_partner_status_changed(
    event: CloudEvent[PartnerStatusChanged], uow: BillingUnitOfWork
) -> None:
    """A partner admitted, suspended or gone: only an active partner acts for its clients."""
    await record_partner_status(uow, event.data)


@handlers.on(PartnerTierAssigned)
async def apply_partner_tier_assigned(event: CloudEvent[PartnerTierAssigned], uow: BillingUnitOfWork) -> None:
    """A partner's discount and cashback rates from a date on."""
    await record_partner_tier(uow, event.data)


@handlers.on_batch(OrganisationRegistered)
async def apply_organisations_registered(
    events: Sequence[CloudEvent[OrganisationRegistered]], uow: BillingUnitOfWork
) -> None:
    """New organisations: their country, kind and VAT number decide the tax on their invoices."""
    await record_organisations(uow, [event.data for event in events])


@handlers.on(OrganisationUpdated)
async def apply_organisation_updated(event: CloudEvent[OrganisationUpdated], uow: BillingUnitOfWork) -> None:
    """An organisation changed: invoices issued from now on follow its new tax facts."""
    await record_organisation(uow, event.data)
