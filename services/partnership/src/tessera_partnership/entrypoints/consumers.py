"""The events partnership reacts to: identity's organisations and memberships, billing's invoices."""

from collections.abc import Sequence

from tessera_events import CloudEvent
from tessera_events.billing import CashbackEarned, InvoiceIssued, InvoicePaid, InvoiceVoided
from tessera_events.identity import (
    MembershipGranted,
    MembershipRevoked,
    OrganisationRegistered,
    OrganisationUpdated,
)
from tessera_kit.consumers import EventHandlers
from tessera_partnership.adapters.uow import PartnershipUnitOfWork
from tessera_partnership.service_layer import projections

handlers: EventHandlers[PartnershipUnitOfWork] = EventHandlers()


@handlers.on_batch(OrganisationRegistered)
async def on_organisations_registered(
    events: Sequence[CloudEvent[OrganisationRegistered]], uow: PartnershipUnitOfWork
) -> None:
    """Know of every organisation, so either side can name the other (a batch in one statement)."""
    await projections.record_organisations(uow, [event.data for event in events])


@handlers.on(OrganisationUpdated)
async def on_organisation_updated(event: CloudEvent[OrganisationUpdated], uow: PartnershipUnitOfWork) -> None:
    """Keep names, kinds and registry numbers current (the programme checks them)."""
    await projections.record_organisation(uow, event.data)


@handlers.on(MembershipGranted)
async def on_membership_granted(event: CloudEvent[MembershipGranted], uow: PartnershipUnitOfWork) -> None:
    """Know the partner's staff, who may be allowed to manage clients."""
    await projections.record_membership(uow, event.data)


@handlers.on(MembershipRevoked)
async def on_membership_revoked(event: CloudEvent[MembershipRevoked], uow: PartnershipUnitOfWork) -> None:
    """A departed member loses every client it was allowed to manage."""
    await projections.forget_membership(uow, event.data)


@handlers.on(InvoiceIssued)
async def on_invoice_issued(event: CloudEvent[InvoiceIssued], uow: PartnershipUnitOfWork) -> None:
    """Managed volume: what the partner's clients were invoiced under its relationships."""
    await projections.record_issued_invoice(uow, event.data)


@handlers.on(InvoicePaid)
async def on_invoice_paid(event: CloudEvent[InvoicePaid], uow: PartnershipUnitOfWork) -> None:
    """The console's paid figures, and managed volume: what the partner paid for its clients."""
    await projections.record_paid_invoice(uow, event.data)


@handlers.on(InvoiceVoided)
async def on_invoice_voided(event: CloudEvent[InvoiceVoided], uow: PartnershipUnitOfWork) -> None:
    """A voided invoice leaves the managed volume."""
    await projections.record_voided_invoice(uow, event.data)


@handlers.on(CashbackEarned)
async def on_cashback_earned(event: CloudEvent[CashbackEarned], uow: PartnershipUnitOfWork) -> None:
    """The partner console's cashback summary."""
    await projections.record_cashback(uow, event.data)
