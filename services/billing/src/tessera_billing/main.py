"""Billing's composition root: its settings, schema, HTTP API, consumers and published topics."""

from pathlib import Path

from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.config import BillingSettings
from tessera_billing.entrypoints.consumers import handlers
from tessera_billing.entrypoints.http import router
from tessera_events import billing
from tessera_kit.cli import run_service
from tessera_kit.service import ServiceDefinition

SOURCE = "/tessera/billing"


def define(settings: BillingSettings) -> ServiceDefinition[BillingUnitOfWork]:
    """The billing service, ready for the kit to run."""
    return ServiceDefinition(
        settings=settings,
        title="Tessera billing",
        description=(
            "The catalogue and its prices, subscriptions installed in the client's organisation, and "
            "who pays for them as partnerships change their billing mode."
        ),
        migrations_dir=Path(__file__).parent / "migrations",
        unit_of_work=lambda database, clock: BillingUnitOfWork(database, source=SOURCE, clock=clock),
        routers=[router],
        handlers=handlers,
        publishes=[billing.SUBSCRIPTIONS, billing.PAYER_ASSIGNMENTS],
    )


def run() -> None:
    """``tessera-billing serve`` or ``tessera-billing migrate``."""
    run_service("billing", BillingSettings, define)
