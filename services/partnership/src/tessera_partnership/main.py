"""Partnership's composition root."""

from pathlib import Path

from tessera_events.partnership import TOPICS
from tessera_kit.cli import run_service
from tessera_kit.clock import Clock
from tessera_kit.db import Database
from tessera_kit.service import ServiceDefinition
from tessera_partnership.adapters.uow import PartnershipUnitOfWork
from tessera_partnership.config import PartnershipSettings
from tessera_partnership.entrypoints import http, market_http, programme_http
from tessera_partnership.entrypoints.consumers import handlers
from tessera_partnership.entrypoints.jobs import run_schedule


def define(settings: PartnershipSettings) -> ServiceDefinition[PartnershipUnitOfWork]:
    """The partnership service, wired."""

    def unit_of_work(database: Database, clock: Clock) -> PartnershipUnitOfWork:
        return PartnershipUnitOfWork(database, source="/tessera/partnership", clock=clock)

    return ServiceDefinition(
        settings=settings,
        title="Tessera partnership",
        description=(
            "The partner programme, partners and the clients they manage, the access clients grant and "
            "who pays, the partner directory and clients' offer requests."
        ),
        migrations_dir=Path(__file__).parent / "migrations",
        unit_of_work=unit_of_work,
        routers=[http.router, programme_http.router, market_http.router],
        handlers=handlers,
        publishes=TOPICS,
        background=[run_schedule],
    )


def run() -> None:
    """``tessera-partnership [serve|migrate]``."""
    run_service("partnership", PartnershipSettings, define)
