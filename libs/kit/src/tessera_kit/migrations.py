"""Alembic plumbing shared by every service: the kit's own tables, env.py, upgrade and checks.

Each service keeps its own ``migrations/`` folder and version history; its first revision calls
``create_kit_tables()`` so the outbox, inbox and trusted keys live in the service's database.
"""

import asyncio
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, pool
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def create_kit_tables() -> None:
    """Create the outbox, inbox and trusted signing keys (call from a service's first revision)."""
    op.create_table(
        "tessera_outbox",
        sa.Column("seq", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("record_key", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("headers", sa.Text, nullable=False),
        sa.Column("traceparent", sa.Text),
        sa.Column("tracestate", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("published_at", sa.DateTime(timezone=True)),
    )
    op.create_index(
        "tessera_outbox_unpublished",
        "tessera_outbox",
        ["seq"],
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.create_index(
        "tessera_outbox_published",
        "tessera_outbox",
        ["published_at"],
        postgresql_where=sa.text("published_at IS NOT NULL"),
    )
    op.create_table(
        "tessera_inbox",
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("event_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("partition", sa.Integer, nullable=False),
        sa.Column("offset", sa.BigInteger, nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "tessera_trusted_keys",
        sa.Column("key_id", sa.Text, primary_key=True),
        sa.Column("algorithm", sa.Text, nullable=False),
        sa.Column("public_key_pem", sa.Text, nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
    )


def drop_kit_tables() -> None:
    """Drop what ``create_kit_tables`` created (call from a service's first revision's downgrade)."""
    for table in ("tessera_trusted_keys", "tessera_inbox", "tessera_outbox"):
        op.drop_table(table)


def run_env(metadata: MetaData, database_url: Callable[[], str]) -> None:
    """The body of a service's ``migrations/env.py``: migrate online over asyncpg.

    The URL comes from the Alembic config when the service migrates itself, else from
    ``database_url()`` (the service's settings), so ``alembic -c alembic.ini upgrade head`` works too.
    """
    url = context.config.get_main_option("sqlalchemy.url") or database_url()
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(create_async_engine(url, poolclass=pool.NullPool), metadata))


async def _run_online(engine: AsyncEngine, metadata: MetaData) -> None:
    async with engine.connect() as connection:
        await connection.run_sync(_migrate, metadata)
    await engine.dispose()


def _migrate(connection: Connection, metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    """An Alembic configuration for one service's migrations and database."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_to_head(migrations_dir: Path, database_url: str) -> None:
    """Apply every migration not yet applied."""
    command.upgrade(alembic_config(migrations_dir, database_url), "head")


def scripts(migrations_dir: Path) -> ScriptDirectory:
    """The service's migration scripts."""
    return ScriptDirectory.from_config(alembic_config(migrations_dir, "postgresql://unused"))
