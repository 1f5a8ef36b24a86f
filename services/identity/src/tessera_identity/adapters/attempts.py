"""The failed-sign-in counters: one row per account (and kind of secret) or client address."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# One statement per attempt: a counter whose window ended starts again at 1, any other goes up by one.
# Rows are taken in key order, so two attempts on the same pair of counters never deadlock.
_ADD = text(
    "INSERT INTO sign_in_attempts AS a (key, window_started_at, failures) "
    "SELECT key, :now, 1 FROM unnest(CAST(:keys AS text[])) AS key "
    "ON CONFLICT (key) DO UPDATE SET "
    "failures = CASE WHEN a.window_started_at <= :since THEN 1 ELSE a.failures + 1 END, "
    "window_started_at = CASE WHEN a.window_started_at <= :since THEN :now ELSE a.window_started_at END "
    "RETURNING key, failures, window_started_at"
)


@dataclass(frozen=True)
class Count:
    """A counter after an attempt was added: failures (and attempts not yet known to succeed)."""

    key: str
    failures: int
    window_started_at: datetime


class AttemptRepository:
    """Counts attempts at secrets, per key, in fixed windows."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, keys: Sequence[str], now: datetime, window: timedelta) -> list[Count]:
        """Count one more attempt on each key; the counts after it."""
        rows = await self._session.execute(_ADD, {"keys": list(keys), "now": now, "since": now - window})
        return [Count(row.key, row.failures, row.window_started_at) for row in rows]

    async def succeeded(self, account_key: str, address_key: str | None) -> None:
        """An attempt succeeded: clear the account's count, and take it off the address's."""
        await self._session.execute(
            text("DELETE FROM sign_in_attempts WHERE key = :key"), {"key": account_key}
        )
        if address_key:
            await self._session.execute(
                text("UPDATE sign_in_attempts SET failures = greatest(failures - 1, 0) WHERE key = :key"),
                {"key": address_key},
            )

    async def forget_before(self, instant: datetime) -> int:
        """Delete the counters whose window started before ``instant``; how many."""
        result = await self._session.execute(
            text("DELETE FROM sign_in_attempts WHERE window_started_at < :instant RETURNING key"),
            {"instant": instant},
        )
        return len(result.all())
