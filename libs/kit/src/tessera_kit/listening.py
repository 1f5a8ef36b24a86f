"""PostgreSQL ``LISTEN`` that survives the server: wake-ups on ``NOTIFY``, and a connection that comes back.

A LISTEN connection is a single TCP connection: a database restart, a failover or an operator's
``pg_terminate_backend`` ends it, and a process that does not notice only wakes on its slow sweep from
then on. :class:`Listener` notices (asyncpg's termination callback for a closed socket, a ``SELECT 1``
probe every ``probe_seconds`` for one that went silent), reconnects with backoff, and wakes its waiter
when it is back: notifications sent while it was away are lost, so the waiter must look for work.

:func:`run_when_woken` is the job loop every LISTEN user shares: do the work, then sleep until a
notification, the work's next due time or the sweep, whichever comes first.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
import structlog

from tessera_kit.db import asyncpg_dsn
from tessera_kit.outages import back_off

log = structlog.get_logger(__name__)


class Listener:
    """A LISTEN connection on some channels that reconnects by itself; ``wait`` returns when woken."""

    def __init__(
        self,
        database_url: str,
        channels: Sequence[str],
        *,
        name: str,
        probe_seconds: float = 5.0,
        max_backoff_seconds: float = 5.0,
    ) -> None:
        self._dsn = asyncpg_dsn(database_url)
        self._channels = tuple(channels)
        self._name = name
        self._probe_seconds = probe_seconds
        self._max_backoff = max_backoff_seconds
        self._woken = asyncio.Event()
        self._lost = asyncio.Event()
        self._connection: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self.reconnections = 0

    @property
    def listening(self) -> bool:
        """Whether the LISTEN connection is open right now."""
        return self._connection is not None and not self._connection.is_closed()

    async def start(self) -> None:
        """Connect and listen (raises if the database cannot be reached now), then keep it alive."""
        await self._connect()
        self._task = asyncio.create_task(self._keep_alive(), name=f"listener {self._name}")

    async def stop(self) -> None:
        """Stop listening and close the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._close()

    def clear(self) -> None:
        """Forget earlier wake-ups: call before looking for work, so one arriving meanwhile counts."""
        self._woken.clear()

    async def wait(self, timeout: float) -> bool:
        """Sleep until a notification (True) or ``timeout`` seconds (False)."""
        # asyncio.timeout, not wait_for: on Python 3.11, wait_for loses a cancellation that arrives
        # as the event is set, and a job being stopped would then run on for ever.
        try:
            async with asyncio.timeout(max(timeout, 0.0)):
                await self._woken.wait()
        except TimeoutError:
            return False
        return True

    async def _connect(self) -> None:
        connection = await asyncpg.connect(self._dsn)
        try:
            for channel in self._channels:
                await connection.add_listener(channel, self._notified)
        except BaseException:
            await connection.close()
            raise
        connection.add_termination_listener(self._terminated)
        self._connection = connection
        self._lost.clear()
        self._woken.set()  # notifications may have been missed while not listening

    def _notified(self, *_: Any) -> None:
        self._woken.set()

    def _terminated(self, *_: Any) -> None:
        self._lost.set()

    async def _keep_alive(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._probe_seconds):
                    await self._lost.wait()
            if self._lost.is_set() or not await self._answers():
                await self._reconnect()

    async def _answers(self) -> bool:
        connection = self._connection
        if connection is None or connection.is_closed():
            return False
        try:
            await connection.fetchval("SELECT 1", timeout=self._probe_seconds)
        except Exception:
            return False
        return True

    async def _reconnect(self) -> None:
        await self._close()
        failures = 0
        while True:
            try:
                await self._connect()
            except Exception as error:
                failures += 1
                await back_off(
                    error,
                    failures,
                    what=f"LISTEN connection of {self._name}",
                    first_seconds=0.1,
                    max_seconds=self._max_backoff,
                )
                continue
            self.reconnections += 1
            log.info("LISTEN connection reopened", listener=self._name, failures=failures)
            return

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        await close_quietly(connection)


async def close_quietly(connection: asyncpg.Connection | None) -> None:
    """Close a connection that may already be broken: politely for two seconds, then by force."""
    if connection is None or connection.is_closed():
        return
    with contextlib.suppress(Exception):
        async with asyncio.timeout(2.0):
            await connection.close()
    if not connection.is_closed():
        connection.terminate()


async def run_when_woken(
    work: Callable[[], Awaitable[float | None]],
    listener: Listener,
    *,
    sweep_seconds: float,
    name: str,
    max_backoff_seconds: float = 10.0,
    min_interval_seconds: float = 0.0,
) -> None:
    """Run ``work`` for ever: after each run, sleep until a notification, the number of seconds the
    work returned (its next due time; None for none) or ``sweep_seconds``, whichever is first. A
    notification runs it again no sooner than ``min_interval_seconds`` after the previous run began.

    A failure is logged (an outage briefly, once per streak) and retried with capped backoff.
    """
    failures = 0
    while True:
        listener.clear()
        started = time.monotonic()
        try:
            due = await work()
        except Exception as error:
            failures += 1
            await back_off(error, failures, what=f"job {name}", max_seconds=max_backoff_seconds)
            continue
        if failures:
            log.info("job recovered", job=name, failures=failures)
            failures = 0
        pause = sweep_seconds if due is None else min(due, sweep_seconds)
        if await listener.wait(pause) and min_interval_seconds:
            # Woken: let a burst of notifications gather instead of running once per commit.
            await asyncio.sleep(max(0.0, started + min_interval_seconds - time.monotonic()))


async def run_on_notify(
    database_url: str,
    channels: Sequence[str],
    work: Callable[[], Awaitable[float | None]],
    *,
    sweep_seconds: float,
    name: str,
    min_interval_seconds: float = 0.0,
) -> None:
    """A background job woken by ``NOTIFY`` on ``channels``: :func:`run_when_woken` on a
    :class:`Listener` of its own, until cancelled. ``work`` returns the seconds until it is next due
    (None: nothing scheduled)."""
    listener = Listener(database_url, channels, name=name)
    await listener.start()
    try:
        await run_when_woken(
            work, listener, sweep_seconds=sweep_seconds, name=name, min_interval_seconds=min_interval_seconds
        )
    finally:
        await listener.stop()
