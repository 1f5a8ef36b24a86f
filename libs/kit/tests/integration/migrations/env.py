"""Alembic environment of the kit's integration tests."""

from sqlalchemy import MetaData

from tessera_kit.migrations import run_env


def _no_url() -> str:
    raise RuntimeError("the tests pass the database URL")


run_env(MetaData(), _no_url)
