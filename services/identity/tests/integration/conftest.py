"""identity running on real PostgreSQL and Kafka, with one identity operator, and a probe of its topics."""

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from uuid import uuid4

import pytest
from cryptography.fernet import Fernet
from identity_harness import OPERATOR_ID

import tessera_identity
from tessera_devtools.endpoints import Endpoints
from tessera_devtools.testing import (
    KafkaProbe,
    RunningService,
    migrated_database,
    running_service,
    unique_service_name,
)
from tessera_identity.config import IdentitySettings
from tessera_identity.main import define

MakeDatabase = Callable[..., Awaitable[str]]
MIGRATIONS = Path(tessera_identity.__file__).parent / "migrations"


@pytest.fixture
async def identity_with_operator(
    infra: Endpoints, make_database: MakeDatabase
) -> AsyncIterator[RunningService[IdentitySettings]]:
    """identity on a fresh database, with OPERATOR_ID as its identity operator."""
    settings = IdentitySettings(
        database_url=await migrated_database(make_database, MIGRATIONS, "identity"),
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        service_name=unique_service_name("identity"),
        outbox_sweep_seconds=0.5,
        operator_user_ids=[OPERATOR_ID],
        encryption_keys=[Fernet.generate_key().decode()],
    )
    async with running_service(define, settings) as running:
        yield running


@pytest.fixture
def kafka_probe(infra: Endpoints) -> KafkaProbe:
    """Reads what identity published."""
    return KafkaProbe(infra.kafka_bootstrap)


@pytest.fixture
def suffix() -> str:
    """Makes e-mail addresses unique across tests sharing the broker."""
    return uuid4().hex[:8]
