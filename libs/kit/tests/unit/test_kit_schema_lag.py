"""When a database schema is too old for the code, and when a newer one is fine."""

from pathlib import Path

from tessera_kit.migrations import schema_lag, scripts

MIGRATIONS = Path(__file__).parents[1] / "integration" / "migrations"


def test_a_database_at_the_code_s_head_is_current() -> None:
    assert schema_lag(scripts(MIGRATIONS), {"0001"}) is None


def test_an_unmigrated_database_is_too_old() -> None:
    assert schema_lag(scripts(MIGRATIONS), set()) == "database not migrated; code expects ['0001']"


def test_a_revision_from_a_newer_release_counts_as_current_during_a_rolling_upgrade() -> None:
    assert schema_lag(scripts(MIGRATIONS), {"0002_from_the_next_release"}) is None
