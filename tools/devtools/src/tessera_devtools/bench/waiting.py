"""Requests in flight in an open-loop run: each waits for its completion or a deadline, both bounded."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class Waiter:
    """One request: when it was scheduled, how many completions it still needs."""

    scheduled: float
    needed: int
    done: asyncio.Event = field(default_factory=asyncio.Event)
    finished: float | None = None


class InFlight:
    """Requests by id; :meth:`complete` counts completions, :meth:`wait` blocks until the last one."""

    def __init__(self) -> None:
        self.waiters: dict[str, Waiter] = {}
        self.latencies_ms: list[float] = []
        self.incomplete = 0
        self.failed = 0

    def expect(self, key: str, scheduled: float, needed: int) -> Waiter:
        """Register a request scheduled at ``scheduled`` (monotonic) that completes after ``needed``."""
        waiter = Waiter(scheduled, needed)
        self.waiters[key] = waiter
        return waiter

    def complete(self, key: str, at: float | None = None) -> None:
        """One completion for ``key`` (unknown keys are ignored: other runs, other requests)."""
        waiter = self.waiters.get(key)
        if waiter is None or waiter.finished is not None:
            return
        waiter.needed -= 1
        if waiter.needed <= 0:
            waiter.finished = time.monotonic() if at is None else at
            self.latencies_ms.append((waiter.finished - waiter.scheduled) * 1000)
            waiter.done.set()

    def fail(self, key: str) -> None:
        """The request was refused: it never completes."""
        self.waiters.pop(key, None)
        self.failed += 1

    async def wait(self, key: str, deadline: float) -> bool:
        """Wait until ``key`` completed or the monotonic ``deadline``; count it incomplete then."""
        waiter = self.waiters[key]
        try:
            async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                await waiter.done.wait()
            return True
        except TimeoutError:
            self.incomplete += 1
            return False
        finally:
            self.waiters.pop(key, None)
