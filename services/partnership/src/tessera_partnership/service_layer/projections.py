"""Keeping partnership's views of other services' facts up to date (inside the consumer's transaction)."""

from collections.abc import Sequence
from uuid import UUID

from tessera_events.billing import CashbackEarned, InvoiceIssued, InvoicePaid, InvoiceVoided
from tessera_events.identity import (
    MembershipGranted,
    MembershipRevoked,
    OrganisationRegistered,
    OrganisationUpdated,
)
from tessera_partnership.adapters.uow import PartnershipUnitOfWork
from tessera_partnership.domain.money import Money
from tessera_partnership.domain.organisation import Organisation
from tessera_partnership.domain.programme import ManagedInvoice
from tessera_partnership.service_layer import events


async def record_organisation(
    uow: PartnershipUnitOfWork, event: OrganisationRegistered | OrganisationUpdated
) -> None:
    """Remember an organisation identity registered or updated, with its registry number."""
    await uow.organisations.upsert(_organisation(event))


async def record_organisations(
    uow: PartnershipUnitOfWork, events: Sequence[OrganisationRegistered | OrganisationUpdated]
) -> None:
    """Remember many organisations at once (a consumer batch), the latest of each winning."""
    await uow.organisations.upsert_many([_organisation(event) for event in events])


def _organisation(event: OrganisationRegistered | OrganisationUpdated) -> Organisation:
    return Organisation(
        id=event.organisation_id,
        name=event.name,
        kind=event.kind.value,
        country=event.country,
        registry_number=event.registry_number,
    )


async def record_membership(uow: PartnershipUnitOfWork, event: MembershipGranted) -> None:
    """A user works for an organisation (partner staff can then be given clients to manage)."""
    await uow.organisations.grant_membership(event.organisation_id, event.user_id, event.role.value)


async def forget_membership(uow: PartnershipUnitOfWork, event: MembershipRevoked) -> None:
    """A user left an organisation: they manage none of its clients any more, and every service that
    checks partner staff hears it once per relationship that listed them (PartnerStaffChanged)."""
    await uow.organisations.revoke_membership(event.organisation_id, event.user_id)
    # Whoever removed the member changed the lists; one who left on their own changed them themselves.
    changed_by = event.revoked_by_user_id or event.user_id
    for relationship in await uow.relationships.remove_staff_member(event.organisation_id, event.user_id):
        uow.emit(events.partner_staff_changed(relationship, changed_by, event.revoked_at))


async def record_issued_invoice(uow: PartnershipUnitOfWork, event: InvoiceIssued) -> None:
    """An invoice under a partner's relationship (to the client, or to the partner when it pays) counts
    towards the partner's managed volume."""
    partner: UUID | None = event.partner_organisation_id
    if partner is None:
        return
    await uow.programme.record_managed_invoice(
        ManagedInvoice(
            invoice_id=event.invoice_id,
            partner_id=partner,
            client_id=event.owner_organisation_id,
            payer_id=event.payer_organisation_id,
            relationship_id=event.relationship_id,
            subtotal=Money(event.subtotal.amount_minor, event.subtotal.currency.value),
            issued_at=event.issued_at,
        )
    )


async def record_voided_invoice(uow: PartnershipUnitOfWork, event: InvoiceVoided) -> None:
    """A voided or written-off invoice no longer counts towards the managed volume."""
    await uow.programme.managed_invoice_voided(event.invoice_id, event.voided_at)


async def record_paid_invoice(uow: PartnershipUnitOfWork, event: InvoicePaid) -> None:
    """A managed client's paid invoice shows in the partner's console; one the partner paid itself
    counts towards its managed volume."""
    partner: UUID | None = event.partner_organisation_id
    if partner is None:
        return
    await uow.programme.managed_invoice_paid(event.invoice_id, event.paid_at)
    await uow.programme.record_paid_invoice(
        event.invoice_id,
        partner,
        event.owner_organisation_id,
        Money(event.total.amount_minor, event.total.currency.value),
        event.paid_at,
    )


async def record_cashback(uow: PartnershipUnitOfWork, event: CashbackEarned) -> None:
    """Cashback a partner earned, for its console."""
    await uow.programme.record_cashback(
        event.entry_id,
        event.partner_organisation_id,
        event.client_organisation_id,
        Money(event.amount.amount_minor, event.amount.currency.value),
        event.earned_at,
    )
