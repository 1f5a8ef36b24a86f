"""wallet boots on a fresh database, migrates, and says it is ready."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tessera_devtools.kafka import create_topics
from tessera_events import dead_letter_topic
from tessera_kit.migrations import upgrade_to_head
from tessera_kit.service import create_app
from tessera_wallet.config import WalletSettings
from tessera_wallet.main import define

pytestmark = pytest.mark.integration


async def test_a_freshly_migrated_wallet_is_ready_and_serves_its_operational_routes(
    infra: Any, make_database: Callable[..., Awaitable[str]]
) -> None:
    url = await make_database("wallet")
    # Its own consumer group, so no other test's or service's wallet shares its partitions.
    group = f"wallet-test-{uuid.uuid4().hex[:8]}"
    # The kit cannot create a missing topic yet (NewTopic refuses replication_factor=-1): make the
    # group's dead-letter topic here, as the devtools make the suite's.
    await asyncio.to_thread(create_topics, infra.kafka_bootstrap, [dead_letter_topic(group)])
    settings = WalletSettings(
        database_url=url, kafka_bootstrap_servers=infra.kafka_bootstrap, service_name=group
    )
    definition = define(settings)
    # Alembic's env runs its own event loop, so it cannot run on this one.
    await asyncio.to_thread(upgrade_to_head, definition.migrations_dir, url)
    app = create_app(definition)

    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://wallet") as http,
    ):
        ready = await http.get("/readyz")
        alive = await http.get("/healthz")
        metrics = await http.get("/metrics")

    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "kafka": "ok", "migrations": "ok"}
    assert alive.status_code == 200
    assert metrics.status_code == 200
    assert "tessera_outbox_backlog" in metrics.text
