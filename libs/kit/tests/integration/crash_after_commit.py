"""Commit an event to the outbox, then die at once, before any relay could publish it.

Run as ``python crash_after_commit.py <database-url>``; prints the event id first.
"""

import asyncio
import os
import signal
import sys

from kit_support import GreetingsUnitOfWork, organisation

from tessera_kit.db import Database


async def main(url: str) -> None:
    uow = GreetingsUnitOfWork(Database(url), source="/tessera/kit-tests")
    async with uow:
        event = uow.emit(organisation("Crashing Hosting GmbH"))
        await uow.commit()
    print(event.id, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


asyncio.run(main(sys.argv[1]))
