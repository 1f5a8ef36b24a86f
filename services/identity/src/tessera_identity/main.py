"""identity's composition root: its settings, schema, routes, handlers and start-up job."""

from pathlib import Path

from tessera_events import identity as contract
from tessera_identity.adapters.passwords import Argon2Passwords
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.config import IdentitySettings
from tessera_identity.entrypoints.consumers import handlers
from tessera_identity.entrypoints.http import create_router
from tessera_identity.entrypoints.jobs import publish_signing_key
from tessera_kit.cli import run_service
from tessera_kit.service import ServiceDefinition


def define(settings: IdentitySettings) -> ServiceDefinition[IdentityUnitOfWork]:
    """What the identity service is made of."""
    return ServiceDefinition(
        settings=settings,
        title="Tessera identity",
        description="Organisations, users, memberships, sign-in and the keys that sign access tokens.",
        migrations_dir=Path(__file__).parent / "migrations",
        unit_of_work=lambda db, clock: IdentityUnitOfWork(db, source="/tessera/identity", clock=clock),
        routers=[create_router(settings, Argon2Passwords())],
        handlers=handlers,
        publishes=contract.TOPICS,
        background=[publish_signing_key],
    )


def run() -> None:
    """The ``tessera-identity`` command: ``migrate`` or ``serve``."""
    run_service("identity", IdentitySettings, define)
