"""What wallet keeps of other services' events: organisations, partners' access, cards (members' roles
are the kit's revocation projection's, see :mod:`tessera_kit.revocations`)."""

from collections.abc import Sequence

from tessera_events import billing, identity, partnership
from tessera_wallet.adapters.uow import WalletUnitOfWork


async def record_organisations(
    uow: WalletUnitOfWork, events: Sequence[identity.OrganisationRegistered]
) -> None:
    """Know of organisations, so operators can grant them credits (a consumer batch at once; the
    latest name of each wins)."""
    await uow.projections.record_organisations({event.organisation_id: event.name for event in events})


async def start_partner_access(uow: WalletUnitOfWork, event: partnership.RelationshipStarted) -> None:
    """A partner now manages the client: its staff reach the wallet within the access granted."""
    await uow.projections.record_partner_access(
        event.relationship_id,
        event.partner_organisation_id,
        event.client_organisation_id,
        access=event.access.value,
        product_codes=list(event.product_codes),
        access_ends_at=event.access_ends_at,
        billing_mode=event.billing_mode.value,
    )


async def change_partner_access(uow: WalletUnitOfWork, event: partnership.AccessChanged) -> None:
    """The client widened or narrowed the partner's access."""
    await uow.projections.record_partner_access(
        event.relationship_id,
        event.partner_organisation_id,
        event.client_organisation_id,
        access=event.access.value,
        product_codes=list(event.product_codes),
        access_ends_at=event.access_ends_at,
        billing_mode=event.billing_mode.value,
    )


async def change_partner_staff(uow: WalletUnitOfWork, event: partnership.PartnerStaffChanged) -> None:
    """The partner named who of its members may act for the client."""
    await uow.projections.record_staff(event.relationship_id, list(event.staff_user_ids))


async def change_billing_mode(uow: WalletUnitOfWork, event: partnership.BillingModeChanged) -> None:
    """Who pays for the client now: a partner may charge the client's card only while the client pays."""
    await uow.projections.record_billing_mode(event.relationship_id, event.billing_mode.value)


async def record_partner_status(uow: WalletUnitOfWork, event: partnership.PartnerStatusChanged) -> None:
    """A partner admitted, suspended or gone: only an active partner acts for its clients."""
    await uow.projections.record_partner_status(
        event.partner_organisation_id, event.status.value, event.changed_at
    )


async def end_partner_access(uow: WalletUnitOfWork, event: partnership.RelationshipEnded) -> None:
    """The partner no longer manages the client."""
    await uow.projections.end_partner_access(
        event.relationship_id, event.partner_organisation_id, event.client_organisation_id
    )


async def record_primary_card(uow: WalletUnitOfWork, event: billing.PrimaryPaymentMethodChanged) -> None:
    """The card top-ups and recharges are charged to."""
    await uow.projections.record_primary_card(
        event.organisation_id, event.stripe_customer_id, event.payment_method_id, event.changed_at
    )
