"""An operator lists a service's dead letters and replays one once its cause is fixed."""

import asyncio
from uuid import uuid4

import pytest
from kit_support import GreetingsUnitOfWork, greetings, migrate, organisation

from tessera_events import CloudEvent, EventData, dead_letter_topic
from tessera_events.identity import ORGANISATIONS, OrganisationRegistered
from tessera_events.kafka_binding import encode
from tessera_events.kafka_binding import event_id as event_id_of
from tessera_kit.consumer_loop import ConsumerLoop
from tessera_kit.consumers import ConsumerRuntime, EventHandlers, PermanentFailure, RetryPolicy
from tessera_kit.db import Database
from tessera_kit.dead_letter_ops import read_dead_letters, replay
from tessera_kit.dead_letters import DeadLetters
from tessera_kit.kafka import create_producer, ensure_topics
from tessera_kit.metrics import Metrics

pytestmark = pytest.mark.integration


async def test_a_dead_letter_replayed_after_the_fix_is_applied_once_however_often_it_is_replayed(
    infra, make_database
) -> None:  # type: ignore[no-untyped-def]
    group = f"kit-replay-{uuid4().hex[:8]}"
    url = await make_database()
    await migrate(url)
    database = Database(url)
    await ensure_topics(infra.kafka_bootstrap, [ORGANISATIONS, dead_letter_topic(group)], client_id=group)
    outage = {"broken": True}

    async def greet_unless_broken(
        event: CloudEvent[OrganisationRegistered], uow: GreetingsUnitOfWork
    ) -> None:
        if outage["broken"]:
            raise PermanentFailure("the greeting service refuses this organisation")
        await uow.greet(event.data.name)

    handlers: EventHandlers[GreetingsUnitOfWork] = EventHandlers()
    handlers.on(OrganisationRegistered)(greet_unless_broken)
    producer = create_producer(infra.kafka_bootstrap, client_id=group)
    await producer.start()
    metrics = Metrics()
    runtime = ConsumerRuntime(
        group=group,
        handlers=handlers,
        unit_of_work=lambda: GreetingsUnitOfWork(database, source="/tests"),
        dead_letters=DeadLetters(producer, group, metrics),
        metrics=metrics,
        retry=RetryPolicy(max_attempts=1),
    )
    loop = ConsumerLoop(
        runtime, handlers.topics, bootstrap_servers=infra.kafka_bootstrap, client_id=group, metrics=metrics
    )
    name = f"Replayed Hosting {uuid4().hex[:6]}"
    data: EventData = organisation(name)
    event = CloudEvent[EventData](
        id=uuid4(),
        source="/tests",
        type=data.EVENT_TYPE,
        time=data.registered_at,
        subject=data.aggregate_id(),
        data=data,
    )
    key, value, headers = encode(event)
    await loop.start()
    try:
        await producer.send_and_wait(ORGANISATIONS.name, value=value, key=key, headers=headers)
        async with asyncio.timeout(30):
            while not (ours := await _letters_of(infra.kafka_bootstrap, group, str(event.id))):
                await asyncio.sleep(0.3)
        outage["broken"] = False
        await replay(infra.kafka_bootstrap, ours, client_id=group)
        async with asyncio.timeout(30):
            while await greetings(database, name) < 1:
                await asyncio.sleep(0.2)
        await replay(infra.kafka_bootstrap, ours, client_id=group)
        await asyncio.sleep(2)  # the second replay is read within milliseconds
    finally:
        await loop.stop()
        await producer.stop()

    assert ours[0].explanation("dlt-reason") == "rejected_by_handler"
    assert "refuses this organisation" in ours[0].summary()
    assert await greetings(database, name) == 1
    await database.dispose()


async def _letters_of(bootstrap: str, group: str, event_id: str) -> list:  # type: ignore[type-arg]
    letters = await read_dead_letters(bootstrap, group)
    return [letter for letter in letters if event_id_of(letter.original_headers) == event_id]
