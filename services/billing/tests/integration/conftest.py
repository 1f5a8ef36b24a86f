"""Billing's integration fixtures, on the PostgreSQL and Kafka of tessera_devtools' ``infra``."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from uuid import uuid4

import pytest
from billing_harness import Kafka, RunningBilling, TokenIssuer, create_topic, running_billing

import tessera_billing
from tessera_billing.config import BillingSettings
from tessera_devtools.endpoints import Endpoints
from tessera_events import dead_letter_topic
from tessera_kit.migrations import upgrade_to_head

MIGRATIONS = Path(tessera_billing.__file__).parent / "migrations"


@pytest.fixture
async def billing_settings(infra: Endpoints, make_database: Callable[..., Awaitable[str]]) -> BillingSettings:
    """Settings for a billing on a fresh, migrated database.

    Each test has its own consumer group, so no test waits on another's rebalance or offsets.
    """
    url = await make_database("billing")
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    service_name = f"billing-test-{uuid4().hex[:8]}"
    await create_topic(infra.kafka_bootstrap, dead_letter_topic(service_name))
    return BillingSettings(
        service_name=service_name,
        database_url=url,
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        otlp_endpoint="",
        consumer_initial_backoff_seconds=0.05,
        consumer_max_backoff_seconds=0.5,
        outbox_sweep_seconds=1.0,
    )


@pytest.fixture
async def billing(billing_settings: BillingSettings) -> AsyncIterator[RunningBilling]:
    """Billing running in this process: HTTP through httpx, consumers and relay on the real Kafka."""
    async with running_billing(billing_settings) as running:
        yield running


@pytest.fixture
async def tokens(billing: RunningBilling) -> TokenIssuer:
    """Signs access tokens billing accepts."""
    issuer = TokenIssuer(billing.settings.database_url)
    await issuer.publish_key()
    return issuer


@pytest.fixture
async def kafka(infra: Endpoints) -> AsyncIterator[Kafka]:
    """Publishes partnership's events and reads billing's."""
    client = Kafka(infra.kafka_bootstrap)
    await client.start()
    try:
        yield client
    finally:
        await client.stop()
