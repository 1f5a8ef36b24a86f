"""Every service's migrations apply to an empty database, roll back to nothing, and apply again."""

import asyncio
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

import tessera_billing
import tessera_identity
import tessera_notify
import tessera_partnership
import tessera_wallet
from tessera_kit.migrations import alembic_config, upgrade_to_head

pytestmark = pytest.mark.integration
SERVICES = {
    module.__name__.removeprefix("tessera_"): Path(module.__file__ or "").parent / "migrations"
    for module in (tessera_identity, tessera_partnership, tessera_billing, tessera_wallet, tessera_notify)
}


async def tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT tablename FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        )
        names = {row[0] for row in rows}
    await engine.dispose()
    return names


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_migrations_go_up_down_and_up_again(service: str, make_database) -> None:  # type: ignore[no-untyped-def]
    url = await make_database(f"migrations_{service}")
    migrations = SERVICES[service]

    await asyncio.to_thread(upgrade_to_head, migrations, url)
    created = await tables(url)
    await asyncio.to_thread(command.downgrade, alembic_config(migrations, url), "base")
    left = await tables(url)
    await asyncio.to_thread(upgrade_to_head, migrations, url)

    assert {"tessera_outbox", "tessera_inbox", "tessera_trusted_keys"} <= created
    assert left == set()
    assert await tables(url) == created
