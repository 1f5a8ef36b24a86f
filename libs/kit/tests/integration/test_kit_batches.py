"""What batching adds, on a real broker and database: poison isolation, crashes mid-batch, rebalances."""

import asyncio
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaProducer
from batch_support import (
    MARKER,
    POISON,
    Greeter,
    eventually,
    fresh_topic,
    greeting_counts,
    inbox_size,
    produce,
    registration,
)
from kit_support import migrate, records

from tessera_events import dead_letter_topic
from tessera_events.identity import OrganisationRegistered
from tessera_kit.db import Database

pytestmark = pytest.mark.integration


async def test_a_poison_record_in_a_batch_of_500_is_dead_lettered_and_the_other_499_applied_once(
    infra, make_database
) -> None:
    group = f"kit-poison-{uuid4().hex[:8]}"
    database = Database(url := await make_database())
    await migrate(url)
    topic = await fresh_topic(infra.kafka_bootstrap, group)
    names = [f"Batch Hosting {index}" for index in range(500)]
    names[250] = f"{POISON} {uuid4().hex[:6]}"
    await produce(infra.kafka_bootstrap, topic, [registration(name) for name in names], key=b"one-partition")

    async with Greeter(infra.kafka_bootstrap, database, group, topic) as greeter:
        await eventually(lambda: _settled(database, group, 499))
        [dead] = [r async for r in records(infra.kafka_bootstrap, dead_letter_topic(group).name, until=1)]

    counts = await greeting_counts(database)
    assert counts == {name: 1 for name in names if not name.startswith(POISON)}
    assert dict(dead.headers)["dlt-original-offset"] == b"250"
    assert dict(dead.headers)["dlt-reason"] == b"retries_exhausted"
    applied = {
        "topic": topic.name,
        "event_type": OrganisationRegistered.EVENT_TYPE,
        "outcome": "applied",
    }
    assert greeter.metrics.registry.get_sample_value("tessera_events_consumed_total", applied) == 499
    await database.dispose()


@pytest.mark.parametrize("when", ["in-transaction", "after-commit"])
async def test_a_process_killed_mid_batch_applies_every_record_exactly_once_after_restart(
    infra, make_database, when: str
) -> None:
    group = f"kit-killed-{uuid4().hex[:8]}"
    database = Database(url := await make_database())
    await migrate(url)
    topic = await fresh_topic(infra.kafka_bootstrap, group)
    names = [f"Crash Hosting {index}" for index in range(300)]
    names[150] = f"{MARKER} {uuid4().hex[:6]}"
    await produce(infra.kafka_bootstrap, topic, [registration(name) for name in names])

    script = Path(__file__).parent / "consume_and_die.py"
    died = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(script), url, infra.kafka_bootstrap, topic.name, group, when],
        capture_output=True,
        text=True,
        cwd=script.parent,
        timeout=120,
    )
    assert died.returncode == -9, died.stderr[-2000:]

    async with Greeter(infra.kafka_bootstrap, database, group, topic):
        await eventually(lambda: _settled(database, group, 300))
        await asyncio.sleep(1.0)  # anything applied twice would show by now

    assert await greeting_counts(database) == dict.fromkeys(names, 1)
    await database.dispose()


async def test_two_replicas_sharing_a_group_under_rebalances_apply_each_record_once(
    infra, make_database
) -> None:
    group = f"kit-replicas-{uuid4().hex[:8]}"
    database = Database(url := await make_database())
    await migrate(url)
    topic = await fresh_topic(infra.kafka_bootstrap, group, partitions=6)
    names = [f"Replica Hosting {index}" for index in range(3000)]

    first = Greeter(infra.kafka_bootstrap, database, group, topic, max_records=50)
    second = Greeter(infra.kafka_bootstrap, database, group, topic, max_records=50)
    async with first:
        feeding = asyncio.create_task(_feed(infra.kafka_bootstrap, topic, names))
        await eventually(lambda: _settled(database, group, 200))
        async with second:  # joins: the group rebalances while records flow
            await eventually(lambda: _settled(database, group, 1500))
            await first.loop.stop()  # leaves: the group rebalances again
            await feeding
            await eventually(lambda: _settled(database, group, 3000))
            await asyncio.sleep(1.0)

    assert await greeting_counts(database) == dict.fromkeys(names, 1)
    await database.dispose()


async def _feed(bootstrap: str, topic, names: list[str]) -> None:  # type: ignore[no-untyped-def]
    for start in range(0, len(names), 250):
        await produce(bootstrap, topic, [registration(name) for name in names[start : start + 250]])
        await asyncio.sleep(0.2)


async def _settled(database: Database, group: str, expected: int) -> bool:
    return await inbox_size(database, group) >= expected


async def test_a_tombstone_is_dead_lettered_with_a_null_value_and_its_neighbours_applied(
    infra, make_database
) -> None:
    group = f"kit-tombstone-{uuid4().hex[:8]}"
    database = Database(url := await make_database())
    await migrate(url)
    topic = await fresh_topic(infra.kafka_bootstrap, group, partitions=1)
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        await produce(infra.kafka_bootstrap, topic, [registration("Before Tombstone AG")])
        await producer.send_and_wait(topic.name, value=None, key=b"deleted-organisation")
        await produce(infra.kafka_bootstrap, topic, [registration("After Tombstone SA")])
    finally:
        await producer.stop()

    async with Greeter(infra.kafka_bootstrap, database, group, topic):
        await eventually(lambda: _settled(database, group, 2))
        [dead] = [r async for r in records(infra.kafka_bootstrap, dead_letter_topic(group).name, until=1)]

    assert dead.value is None
    assert dead.key == b"deleted-organisation"
    assert dict(dead.headers)["dlt-reason"] == b"contract_violation"
    assert await greeting_counts(database) == {"Before Tombstone AG": 1, "After Tombstone SA": 1}
    await database.dispose()
