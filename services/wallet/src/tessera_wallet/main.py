"""wallet's composition root."""

from datetime import timedelta
from pathlib import Path

from tessera_events.wallet import WALLETS
from tessera_kit.cli import run_service
from tessera_kit.clock import Clock
from tessera_kit.db import Database
from tessera_kit.service import ServiceDefinition
from tessera_wallet.adapters.stripe_gateway import StripeGateway
from tessera_wallet.adapters.uow import WalletUnitOfWork
from tessera_wallet.config import WalletSettings
from tessera_wallet.domain.charges import PartnerCardLimits
from tessera_wallet.entrypoints.charging import Charger
from tessera_wallet.entrypoints.consumers import handlers
from tessera_wallet.entrypoints.http import build_router
from tessera_wallet.entrypoints.webhooks import build_webhook_router
from tessera_wallet.service_layer.charges import PaymentGateway


def define(
    settings: WalletSettings, gateway: PaymentGateway | None = None
) -> ServiceDefinition[WalletUnitOfWork]:
    """The wallet service, wired: HTTP API, consumers, outbox relay and the charging job. ``gateway``
    replaces Stripe (tests only)."""

    def unit_of_work(database: Database, clock: Clock) -> WalletUnitOfWork:
        return WalletUnitOfWork(
            database,
            source="/tessera/wallet",
            clock=clock,
            operator_organisation_id=settings.operator_organisation_id,
            partner_card_limits=PartnerCardLimits(
                settings.partner_top_up_max_minor, settings.partner_top_up_daily_max_minor
            ),
        )

    charger = Charger(
        gateway or StripeGateway(settings.stripe_api_key.get_secret_value(), settings.stripe_api_base),
        settings.recharge_policy,
        settings.charge_lease,
        settings.charge_sweep_seconds,
        timedelta(seconds=settings.charge_pending_check_seconds),
    )
    return ServiceDefinition(
        settings=settings,
        title="Tessera wallet",
        description="Prepaid credit: wallets, the credit ledger, top-ups, usage debits, auto-recharge.",
        migrations_dir=Path(__file__).parent / "migrations",
        unit_of_work=unit_of_work,
        routers=[build_router(charger), build_webhook_router(settings, charger)],
        handlers=handlers,
        publishes=[WALLETS],
        background=[charger.charge_due],
    )


def run() -> None:
    """The ``tessera-wallet`` command: ``migrate`` or ``serve``."""
    run_service("wallet", WalletSettings, define)
