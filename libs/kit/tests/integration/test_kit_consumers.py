"""Consumers on a real broker: dead letters, redelivery and offsets."""

import asyncio
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from kit_support import GreetingsUnitOfWork, greetings, migrate, organisation, records

from tessera_events import CloudEvent, EventData, dead_letter_topic
from tessera_events.identity import ORGANISATIONS, OrganisationRegistered
from tessera_events.kafka_binding import encode
from tessera_kit.consumer_loop import ConsumerLoop
from tessera_kit.consumers import ConsumerRuntime, EventHandlers, RetryPolicy
from tessera_kit.db import Database
from tessera_kit.dead_letters import DeadLetters
from tessera_kit.kafka import create_producer, ensure_topics
from tessera_kit.metrics import Metrics

pytestmark = pytest.mark.integration


async def greet(event: CloudEvent[OrganisationRegistered], uow: GreetingsUnitOfWork) -> None:
    await uow.greet(event.data.name)


async def wait_until(predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(timeout):
        while not await predicate():
            await asyncio.sleep(0.2)


async def test_a_malformed_record_is_dead_lettered_the_next_is_applied_and_a_redelivery_changes_nothing(
    infra, make_database
) -> None:
    group = f"kit-test-{uuid4().hex[:8]}"
    url = await make_database()
    await migrate(url)
    database = Database(url)
    await ensure_topics(infra.kafka_bootstrap, [ORGANISATIONS, dead_letter_topic(group)], client_id=group)

    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    name = f"Next Record Hosting {uuid4().hex[:6]}"
    data = organisation(name)
    event = CloudEvent[EventData](
        id=uuid4(),
        source="/tests",
        type=data.EVENT_TYPE,
        time=data.registered_at,
        subject=data.aggregate_id(),
        data=data,
    )
    key, value, headers = encode(event)
    # Same key, so the garbage and the good record share a partition, garbage first.
    garbage = await producer.send_and_wait(ORGANISATIONS.name, value=b"\x00 not an event", key=key)
    good = await producer.send_and_wait(ORGANISATIONS.name, value=value, key=key, headers=headers)
    await producer.send_and_wait(ORGANISATIONS.name, value=value, key=key, headers=headers)  # redelivery

    handlers: EventHandlers[GreetingsUnitOfWork] = EventHandlers()
    handlers.on(OrganisationRegistered)(greet)
    dlt_producer = create_producer(infra.kafka_bootstrap, client_id=group)
    await dlt_producer.start()
    metrics = Metrics()
    runtime = ConsumerRuntime(
        group=group,
        handlers=handlers,
        unit_of_work=lambda: GreetingsUnitOfWork(database, source="/tests"),
        dead_letters=DeadLetters(dlt_producer, group, metrics),
        metrics=metrics,
        retry=RetryPolicy(max_attempts=2, initial_backoff_seconds=0.01),
    )
    loop = ConsumerLoop(
        runtime, handlers.topics, bootstrap_servers=infra.kafka_bootstrap, client_id=group, metrics=metrics
    )
    await loop.start()
    try:
        await wait_until(lambda: _greeted(database, name))
        dead = [r async for r in records(infra.kafka_bootstrap, dead_letter_topic(group).name, until=1)]
        await wait_until(
            lambda: _committed_past(infra.kafka_bootstrap, group, good.partition, good.offset + 1)
        )
    finally:
        await loop.stop()
        await dlt_producer.stop()
        await producer.stop()

    assert await greetings(database, name) == 1
    headers_of_dead = dict(dead[0].headers)
    assert dead[0].value == b"\x00 not an event"
    assert headers_of_dead["dlt-original-offset"] == str(garbage.offset).encode()
    assert headers_of_dead["dlt-original-topic"] == ORGANISATIONS.name.encode()
    sample = metrics.registry.get_sample_value
    assert (
        sample("tessera_dead_letters_total", {"topic": ORGANISATIONS.name, "reason": "contract_violation"})
        == 1
    )
    duplicates = {"topic": ORGANISATIONS.name, "event_type": data.EVENT_TYPE, "outcome": "duplicate"}
    assert (sample("tessera_events_consumed_total", duplicates) or 0) >= 1
    await database.dispose()


async def _greeted(database: Database, name: str) -> bool:
    return await greetings(database, name) >= 1


async def _committed_past(bootstrap: str, group: str, partition: int, offset: int) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    position = committed.get(TopicPartition(ORGANISATIONS.name, partition))
    return position is not None and position.offset > offset
