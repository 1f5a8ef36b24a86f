"""identity's composition root: its settings, schema, routes, handlers and background jobs."""

import asyncio
import sys
from pathlib import Path

from tessera_events import identity as contract
from tessera_identity.adapters.keys import generate_ed25519_key_pair
from tessera_identity.adapters.passwords import Argon2Passwords
from tessera_identity.adapters.secrets import SecretBox
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.config import IdentitySettings
from tessera_identity.entrypoints.consumers import handlers
from tessera_identity.entrypoints.http import create_routers
from tessera_identity.entrypoints.jobs import api_token_sweep_job, attempts_cleanup_job, signing_keys_job
from tessera_identity.service_layer.signing_keys import publish_next_key
from tessera_kit.cli import run_service
from tessera_kit.db import Database
from tessera_kit.service import ServiceDefinition

ROTATE_COMMAND = "rotate-signing-key"
SOURCE = "/tessera/identity"


def define(settings: IdentitySettings) -> ServiceDefinition[IdentityUnitOfWork]:
    """What the identity service is made of."""
    box = SecretBox([key.get_secret_value() for key in settings.encryption_keys])
    return ServiceDefinition(
        settings=settings,
        title="Tessera identity",
        description=(
            "Organisations, members and roles, sign-in with 2FA, app passwords, API tokens, and the keys "
            "that sign the access tokens every service verifies."
        ),
        migrations_dir=Path(__file__).parent / "migrations",
        unit_of_work=lambda db, clock: IdentityUnitOfWork(db, source=SOURCE, clock=clock, box=box),
        routers=create_routers(settings, Argon2Passwords()),
        handlers=handlers,
        publishes=contract.TOPICS,
        background=[
            signing_keys_job(settings),
            api_token_sweep_job(settings),
            attempts_cleanup_job(settings),
        ],
        # identity writes the revocation tables in the transactions that revoke (it does not consume
        # its own events), so its own token checks see a revocation at once.
        projects_revocations=False,
    )


async def rotate_signing_key(settings: IdentitySettings) -> str:
    """Publish the next signing key (through the outbox; a running identity relays it and hands over
    when its time comes); a line saying which key and when it signs."""
    database = Database(settings.database_url)
    try:
        box = SecretBox([key.get_secret_value() for key in settings.encryption_keys])
        uow = IdentityUnitOfWork(database, source=SOURCE, box=box)
        key = await publish_next_key(uow, generate_ed25519_key_pair, settings.rotation_policy)
    finally:
        await database.dispose()
    return f"key {key.key_id} published; it signs from {key.not_before.isoformat()}"


def run() -> None:
    """``tessera-identity``: ``migrate``, ``serve``, ``dead-letters`` or ``rotate-signing-key``."""
    if sys.argv[1:2] == [ROTATE_COMMAND]:
        print(asyncio.run(rotate_signing_key(IdentitySettings())))
        return
    run_service("identity", IdentitySettings, define)
