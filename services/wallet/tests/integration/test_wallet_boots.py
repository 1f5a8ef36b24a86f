"""wallet boots on a fresh database, migrates, and says it is ready."""

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

import tessera_wallet
from tessera_devtools.endpoints import Endpoints
from tessera_devtools.testing import migrated_database, running_service, unique_service_name
from tessera_wallet.config import WalletSettings
from tessera_wallet.main import define

pytestmark = pytest.mark.integration
MIGRATIONS = Path(tessera_wallet.__file__).parent / "migrations"


async def test_a_freshly_migrated_wallet_is_ready_and_serves_its_operational_routes(
    infra: Endpoints, make_database: Callable[..., Awaitable[str]]
) -> None:
    settings = WalletSettings(
        database_url=await migrated_database(make_database, MIGRATIONS, "wallet"),
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        service_name=unique_service_name("wallet"),
    )

    async with running_service(define, settings) as wallet:
        ready = await wallet.http.get("/readyz")
        alive = await wallet.http.get("/healthz")
        metrics = await wallet.http.get("/metrics")

    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "kafka": "ok", "migrations": "ok"}
    assert alive.status_code == 200
    assert metrics.status_code == 200
    assert "tessera_outbox_backlog" in metrics.text
