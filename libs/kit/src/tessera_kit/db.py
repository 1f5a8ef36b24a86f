"""The service's PostgreSQL database: one engine and a session factory per process."""

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


class Database:
    """An async engine and the sessions made from it."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        # No pre-ping: it cost three round trips per checkout (BEGIN, a no-op, ROLLBACK), on every
        # request and consumer batch. A connection a restart killed fails on first use instead;
        # SQLAlchemy then discards the whole pool, and the failure is an outage (tessera_kit.outages):
        # consumers retry it, HTTP answers 503 with Retry-After once.
        self.engine: AsyncEngine = create_async_engine(url, pool_size=pool_size, hide_parameters=True)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> AsyncSession:
        """A new session; the caller owns its transaction."""
        return self.sessions()

    async def ping(self) -> None:
        """Raise unless the database answers."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def asyncpg_dsn(url: str) -> str:
    """The plain postgresql:// DSN asyncpg takes, from a SQLAlchemy URL.

    SQLAlchemy's asyncpg dialect names TLS ``ssl=require``; a DSN names it ``sslmode=require``.
    """
    parsed = make_url(url).set(drivername="postgresql")
    if "ssl" in parsed.query and "sslmode" not in parsed.query:
        query = dict(parsed.query)
        query["sslmode"] = query.pop("ssl")
        parsed = parsed.set(query=query)
    return parsed.render_as_string(hide_password=False)


async def upsert(
    session: AsyncSession,
    target: Table | type[Any],
    rows: Sequence[Mapping[str, Any]],
    *,
    key: str,
    keep: Collection[str] = (),
    newer: str | None = None,
) -> None:
    """Insert ``rows`` into ``target`` (a table, or the ORM class mapped to one) or overwrite those
    whose ``key`` exists, in one statement.

    Columns in ``keep`` are written only by the insert; with ``newer``, an existing row is overwritten
    only by a row whose ``newer`` column is at least as recent. The rows are the statement's
    parameters, so one cached statement serves any number of them (a VALUES list as long as the
    batch was compiled anew every time and cost more than the database's work).
    """
    if not rows:
        return
    table = target if isinstance(target, Table) else target.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{target!r} is not mapped to a table")
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c[key]],
        set_={name: statement.excluded[name] for name in rows[0] if name != key and name not in keep},
        where=table.c[newer] <= statement.excluded[newer] if newer else None,
    )
    await session.execute(statement, list(rows))
