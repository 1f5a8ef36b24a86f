"""The service's PostgreSQL database: one engine and a session factory per process."""

from sqlalchemy import text
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
        self.engine: AsyncEngine = create_async_engine(url, pool_size=pool_size)
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
