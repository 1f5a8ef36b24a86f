"""Readiness tells the truth about the database schema."""

import pytest
from kit_support import MIGRATIONS, migrate

from tessera_kit.db import Database
from tessera_kit.health import migrations_check, run_checks

pytestmark = pytest.mark.integration


async def test_readiness_fails_until_the_database_is_migrated_to_the_code_s_head(make_database) -> None:  # type: ignore[no-untyped-def]
    url = await make_database()
    database = Database(url)
    checks = {"migrations": migrations_check(database, MIGRATIONS)}

    before = await run_checks(checks)
    await migrate(url)
    after = await run_checks(checks)

    assert before["migrations"].startswith("failed")
    assert "not migrated; code expects ['0001']" in before["migrations"]
    assert after == {"migrations": "ok"}
    await database.dispose()
