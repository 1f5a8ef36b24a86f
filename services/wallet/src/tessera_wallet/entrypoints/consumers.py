"""The events wallet reacts to: usage to debit, and what it needs to know of organisations, partners
and cards."""

from collections.abc import Sequence

from tessera_events import CloudEvent, billing, identity, partnership
from tessera_events.wallet import UsageRecorded
from tessera_kit.consumers import EventHandlers, PermanentFailure
from tessera_wallet.adapters.uow import WalletUnitOfWork
from tessera_wallet.domain.ledger import Currency
from tessera_wallet.service_layer import projections
from tessera_wallet.service_layer.usage import Usage, debit_usage

handlers: EventHandlers[WalletUnitOfWork] = EventHandlers()


@handlers.on(UsageRecorded)
async def on_usage_recorded(event: CloudEvent[UsageRecorded], uow: WalletUnitOfWork) -> None:
    """Debit the usage once per usage id, or refuse it (DebitRefused tells the reporter to stop)."""
    usage = event.data
    if usage.amount.amount_minor <= 0:
        raise PermanentFailure(f"usage {usage.usage_id} has a price of {usage.amount.amount_minor}")
    await debit_usage(
        uow,
        Usage(
            usage_id=usage.usage_id,
            organisation_id=usage.organisation_id,
            kind=usage.kind.value,
            quantity=usage.quantity,
            amount_minor=usage.amount.amount_minor,
            currency=Currency(usage.amount.currency.value),
        ),
    )


@handlers.on_batch(identity.OrganisationRegistered)
async def on_organisations_registered(
    events: Sequence[CloudEvent[identity.OrganisationRegistered]], uow: WalletUnitOfWork
) -> None:
    """Know of the organisations (a batch in one statement)."""
    await projections.record_organisations(uow, [event.data for event in events])


@handlers.on(partnership.RelationshipStarted)
async def on_relationship_started(
    event: CloudEvent[partnership.RelationshipStarted], uow: WalletUnitOfWork
) -> None:
    """Let the partner's staff in, within the access granted."""
    await projections.start_partner_access(uow, event.data)


@handlers.on(partnership.AccessChanged)
async def on_access_changed(event: CloudEvent[partnership.AccessChanged], uow: WalletUnitOfWork) -> None:
    """Follow the client's change of the partner's access."""
    await projections.change_partner_access(uow, event.data)


@handlers.on(partnership.PartnerStaffChanged)
async def on_partner_staff_changed(
    event: CloudEvent[partnership.PartnerStaffChanged], uow: WalletUnitOfWork
) -> None:
    """Let only the partner's managers and the listed staff act for the client."""
    await projections.change_partner_staff(uow, event.data)


@handlers.on(partnership.BillingModeChanged)
async def on_billing_mode_changed(
    event: CloudEvent[partnership.BillingModeChanged], uow: WalletUnitOfWork
) -> None:
    """Know who pays: a partner charges its client's card only while the client pays."""
    await projections.change_billing_mode(uow, event.data)


@handlers.on(partnership.PartnerStatusChanged)
async def on_partner_status_changed(
    event: CloudEvent[partnership.PartnerStatusChanged], uow: WalletUnitOfWork
) -> None:
    """A suspended or departed partner acts for no client."""
    await projections.record_partner_status(uow, event.data)


@handlers.on(partnership.RelationshipEnded)
async def on_relationship_ended(
    event: CloudEvent[partnership.RelationshipEnded], uow: WalletUnitOfWork
) -> None:
    """Shut the partner's staff out."""
    await projections.end_partner_access(uow, event.data)


@handlers.on(billing.PrimaryPaymentMethodChanged)
async def on_primary_card_changed(
    event: CloudEvent[billing.PrimaryPaymentMethodChanged], uow: WalletUnitOfWork
) -> None:
    """Charge top-ups and recharges to the new primary card."""
    await projections.record_primary_card(uow, event.data)
