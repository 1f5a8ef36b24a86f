"""Consume a topic as the greeting service and die by SIGKILL in the middle of a batch.

Run as ``python consume_and_die.py <database-url> <bootstrap> <topic> <group> <when>``, where ``when``
is ``in-transaction`` (while the batch's transaction is open, effects written but not committed) or
``after-commit`` (effects and inbox committed, offsets not yet).
"""

import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

from batch_support import MARKER, Greeter, greet_unless_poisoned
from kit_support import GreetingsUnitOfWork

from tessera_events import CloudEvent, Topic
from tessera_events.identity import OrganisationRegistered
from tessera_kit.db import Database


def die() -> None:
    print("dying", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


async def greet_or_die(event: CloudEvent[OrganisationRegistered], uow: GreetingsUnitOfWork) -> None:
    await greet_unless_poisoned(event, uow)
    if event.data.name.startswith(MARKER):
        die()


async def die_after_marker(events: Sequence[CloudEvent[Any]]) -> None:
    if any(event.data.name.startswith(MARKER) for event in events):
        die()


async def main(url: str, bootstrap: str, topic_name: str, group: str, when: str) -> None:
    topic = Topic(name=topic_name, owner="kit-tests", key="organisation_id", description="", partitions=3)
    greeter = Greeter(
        bootstrap,
        Database(url),
        group,
        topic,
        greet=greet_or_die if when == "in-transaction" else greet_unless_poisoned,
        after_commit=die_after_marker if when == "after-commit" else None,
    )
    async with greeter:
        await asyncio.sleep(120)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
