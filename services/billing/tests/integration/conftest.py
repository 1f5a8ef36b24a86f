"""Billing's integration fixtures, on the PostgreSQL and Kafka of tessera_devtools' ``infra``."""

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from core_support import OPERATOR_ORGANISATION

import tessera_billing
from tessera_billing.config import BillingSettings
from tessera_billing.main import define
from tessera_devtools.endpoints import Endpoints
from tessera_devtools.testing import (
    KafkaProbe,
    RunningService,
    TokenIssuer,
    migrated_database,
    running_service,
    unique_service_name,
)

MIGRATIONS = Path(tessera_billing.__file__).parent / "migrations"


@pytest.fixture
async def billing_settings(infra: Endpoints, make_database: Callable[..., Awaitable[str]]) -> BillingSettings:
    """Settings for a billing on a fresh, migrated database, in a consumer group of its own."""
    return BillingSettings(
        service_name=unique_service_name("billing"),
        database_url=await migrated_database(make_database, MIGRATIONS, "billing"),
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        otlp_endpoint="",
        consumer_initial_backoff_seconds=0.05,
        consumer_max_backoff_seconds=0.5,
        outbox_sweep_seconds=1.0,
        operator_organisation_id=OPERATOR_ORGANISATION,
    )


@pytest.fixture
async def billing(billing_settings: BillingSettings) -> AsyncIterator[RunningService[BillingSettings]]:
    """Billing running in this process: HTTP through httpx, consumers and relay on the real Kafka."""
    async with running_service(define, billing_settings) as running:
        yield running


@pytest.fixture
async def tokens(billing: RunningService[BillingSettings]) -> TokenIssuer:
    """Signs access tokens billing accepts."""
    issuer = TokenIssuer(billing.settings.database_url)
    await issuer.trust()
    return issuer


@pytest.fixture
async def kafka(infra: Endpoints) -> AsyncIterator[KafkaProbe]:
    """Publishes partnership's events and reads billing's."""
    async with KafkaProbe(infra.kafka_bootstrap) as probe:
        yield probe
