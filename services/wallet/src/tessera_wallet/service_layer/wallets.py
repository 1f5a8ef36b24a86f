"""Opening wallets, seeing them, and the owner's settings: auto-recharge and receipts."""

from dataclasses import dataclass, replace
from uuid import UUID

from tessera_kit.auth import Caller
from tessera_kit.problems import InvalidInput, NotFound
from tessera_wallet.adapters.uow import WalletUnitOfWork
from tessera_wallet.domain.auto_recharge import AutoRecharge
from tessera_wallet.domain.errors import InvalidAutoRecharge
from tessera_wallet.domain.ledger import Currency
from tessera_wallet.domain.wallet import Charge, Wallet
from tessera_wallet.service_layer import movements
from tessera_wallet.service_layer.access import permission


@dataclass(frozen=True)
class AutoRechargeSettings:
    """What the owner chooses: under which balance to recharge, how much, and at most how much a month."""

    enabled: bool
    threshold_minor: int | None
    amount_minor: int | None
    monthly_cap_minor: int | None


async def open_wallet(
    uow: WalletUnitOfWork, caller: Caller, organisation_id: UUID, currency: Currency
) -> tuple[Wallet, bool]:
    """The organisation's wallet in a currency, opened if it had none; True when just opened."""
    await permission(uow, caller, organisation_id, manage=True, now=uow.clock.now())
    wallet, opened = await uow.wallets.open(organisation_id, currency, uow.clock.now())
    await uow.commit()
    return wallet, opened


async def wallets_of(uow: WalletUnitOfWork, caller: Caller, organisation_id: UUID) -> list[Wallet]:
    """Every wallet of the organisation, with paid and complimentary balances."""
    await permission(uow, caller, organisation_id, manage=False, now=uow.clock.now())
    return await uow.wallets.of_organisation(organisation_id)


async def wallet_of(
    uow: WalletUnitOfWork, caller: Caller, organisation_id: UUID, currency: Currency
) -> tuple[Wallet, Charge | None]:
    """One wallet, and its automatic recharge under way if any."""
    await permission(uow, caller, organisation_id, manage=False, now=uow.clock.now())
    wallet = await existing(uow, organisation_id, currency)
    return wallet, await uow.charges.open_recharge(wallet.id)


async def configure_auto_recharge(
    uow: WalletUnitOfWork,
    caller: Caller,
    organisation_id: UUID,
    currency: Currency,
    settings: AutoRechargeSettings,
) -> Wallet:
    """The owner sets the threshold, amount and monthly cap, and turns auto-recharge on or off.

    Changing the settings keeps a pause (only resuming lifts it). A balance already under the new
    threshold is recharged at once.
    """
    await permission(uow, caller, organisation_id, manage=True, now=uow.clock.now())
    wallet = await existing(uow, organisation_id, currency, for_update=True)
    current = wallet.auto_recharge
    try:
        wallet.auto_recharge = AutoRecharge(
            threshold_minor=settings.threshold_minor,
            amount_minor=settings.amount_minor,
            monthly_cap_minor=settings.monthly_cap_minor,
            enabled=settings.enabled,
            paused=current.paused,
            failures_in_a_row=current.failures_in_a_row,
        )
    except InvalidAutoRecharge as error:
        raise InvalidInput(str(error)) from error
    await uow.wallets.save_settings(wallet)
    await movements.schedule_recharge_if_due(uow, wallet)
    await uow.commit()
    return wallet


async def resume_auto_recharge(
    uow: WalletUnitOfWork, caller: Caller, organisation_id: UUID, currency: Currency
) -> Wallet:
    """The owner resumes auto-recharge after it paused on failures; a low balance recharges at once."""
    await permission(uow, caller, organisation_id, manage=True, now=uow.clock.now())
    wallet = await existing(uow, organisation_id, currency, for_update=True)
    wallet.auto_recharge = replace(wallet.auto_recharge, paused=False, failures_in_a_row=0)
    await uow.wallets.save_settings(wallet)
    await movements.schedule_recharge_if_due(uow, wallet)
    await uow.commit()
    return wallet


async def choose_receipts(
    uow: WalletUnitOfWork, caller: Caller, organisation_id: UUID, currency: Currency, to_client: bool
) -> Wallet:
    """Whether top-up and recharge receipts are e-mailed to the client (off by default)."""
    await permission(uow, caller, organisation_id, manage=True, now=uow.clock.now())
    wallet = await existing(uow, organisation_id, currency, for_update=True)
    wallet.receipts_to_client = to_client
    await uow.wallets.save_settings(wallet)
    await uow.commit()
    return wallet


async def existing(
    uow: WalletUnitOfWork, organisation_id: UUID, currency: Currency, *, for_update: bool = False
) -> Wallet:
    """The organisation's wallet in the currency; NotFound when it has none."""
    wallet = await uow.wallets.get(organisation_id, currency, for_update=for_update)
    if wallet is None:
        raise NotFound(f"organisation {organisation_id} has no {currency} wallet")
    return wallet
