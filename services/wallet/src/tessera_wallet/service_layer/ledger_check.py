"""The ledger's own audit: every cached balance equals the sum of its entries, every transaction sums
to zero."""

from dataclasses import dataclass
from uuid import UUID

from tessera_kit.auth import Caller
from tessera_wallet.adapters.uow import WalletUnitOfWork
from tessera_wallet.domain.ledger import Balance
from tessera_wallet.service_layer.access import require_operator


@dataclass(frozen=True)
class Discrepancy:
    """A wallet whose cached balance differs from its entries."""

    wallet_id: UUID
    cached: Balance
    from_entries: Balance


@dataclass(frozen=True)
class LedgerReport:
    """What the check found."""

    wallets_checked: int
    discrepancies: list[Discrepancy]
    unbalanced_transactions: list[UUID]

    @property
    def consistent(self) -> bool:
        """Whether nothing is off."""
        return not self.discrepancies and not self.unbalanced_transactions


async def check_ledger(uow: WalletUnitOfWork) -> LedgerReport:
    """Compare every wallet's cached balance with the sum of its entries."""
    cached = await uow.wallets.cached_balances()
    summed = await uow.wallets.balances_from_entries()
    discrepancies = [
        Discrepancy(wallet_id, balance, summed.get(wallet_id, Balance()))
        for wallet_id, balance in cached.items()
        if summed.get(wallet_id, Balance()) != balance
    ]
    return LedgerReport(len(cached), discrepancies, await uow.wallets.unbalanced_transactions())


async def check_ledger_for(uow: WalletUnitOfWork, caller: Caller) -> LedgerReport:
    """The check, for an operator."""
    await require_operator(uow, caller, "checks the ledger")
    return await check_ledger(uow)
