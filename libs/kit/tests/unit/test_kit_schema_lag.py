"""When a database schema is too old for the code, and when a newer one is fine."""

from pathlib import Path

import pytest

from tessera_kit.migrations import scripts
from tessera_kit.revisions import read_revisions, schema_lag

REPOSITORY = Path(__file__).parents[4]
MIGRATIONS = Path(__file__).parents[1] / "integration" / "migrations"
SERVICE_MIGRATIONS = sorted(REPOSITORY.glob("services/*/src/tessera_*/migrations"))


def test_a_database_at_the_code_s_head_is_current() -> None:
    assert schema_lag(read_revisions(MIGRATIONS), {"0001"}) is None


def test_an_unmigrated_database_is_too_old() -> None:
    assert schema_lag(read_revisions(MIGRATIONS), set()) == "database not migrated; code expects ['0001']"


def test_a_revision_from_a_newer_release_counts_as_current_during_a_rolling_upgrade() -> None:
    assert schema_lag(read_revisions(MIGRATIONS), {"0002_from_the_next_release"}) is None


def test_a_database_behind_the_head_is_too_old() -> None:
    revisions = read_revisions(SERVICE_MIGRATIONS[0])
    oldest = min(revisions.known)
    if revisions.heads == {oldest}:
        pytest.skip("that service has a single revision")
    assert schema_lag(revisions, {oldest}) is not None


@pytest.mark.parametrize("migrations_dir", SERVICE_MIGRATIONS, ids=lambda path: path.parent.name)
def test_reading_the_scripts_finds_what_alembic_finds(migrations_dir: Path) -> None:
    script = scripts(migrations_dir)
    revisions = read_revisions(migrations_dir)
    assert revisions.heads == set(script.get_heads())
    assert revisions.known == {revision.revision for revision in script.walk_revisions()}
