"""wallet's composition root. Wallets, the credit ledger and top-ups come in a later issue."""

from pathlib import Path

from tessera_kit.cli import run_service
from tessera_kit.service import ServiceDefinition
from tessera_kit.uow import UnitOfWork
from tessera_wallet.config import WalletSettings


def define(settings: WalletSettings) -> ServiceDefinition[UnitOfWork]:
    """What the wallet service is made of, so far: its database, health and the trusted keys."""
    return ServiceDefinition(
        settings=settings,
        title="Tessera wallet",
        description="Prepaid credit: wallets, the credit ledger, top-ups, usage debits, auto-recharge.",
        migrations_dir=Path(__file__).parent / "migrations",
        unit_of_work=lambda db, clock: UnitOfWork(db, source="/tessera/wallet", clock=clock),
    )


def run() -> None:
    """The ``tessera-wallet`` command: ``migrate`` or ``serve``."""
    run_service("wallet", WalletSettings, define)
