"""Run a coroutine to completion from synchronous code, whatever event loop the caller has."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


def run_sync(make: Callable[[], Awaitable[T]]) -> T:
    """Await ``make()`` on a fresh event loop in a worker thread.

    The worker thread leaves the caller's event loop alone: ``asyncio.run`` in the caller's thread would
    fail inside a running loop, and would unset the thread's current loop (pytest-asyncio's) otherwise.
    """

    async def main() -> T:
        return await make()

    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="run-sync") as pool:
        return pool.submit(asyncio.run, main()).result()
