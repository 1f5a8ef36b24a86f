"""What the batching tests share: a topic of their own, records to fill it, a greeting consumer."""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from uuid import uuid4

from aiokafka import AIOKafkaProducer
from kit_support import GreetingsUnitOfWork, organisation
from sqlalchemy import text

from tessera_events import CloudEvent, EventData, Topic, dead_letter_topic
from tessera_events.identity import OrganisationRegistered
from tessera_events.kafka_binding import encode
from tessera_kit.consumer_loop import ConsumerLoop, ConsumerSettings
from tessera_kit.consumers import AfterCommit, ConsumerRuntime, EventHandlers, RetryPolicy
from tessera_kit.db import Database
from tessera_kit.dead_letters import DeadLetters
from tessera_kit.kafka import create_producer, ensure_topics
from tessera_kit.metrics import Metrics

POISON = "Poisoned Hosting"
MARKER = "Marker Hosting"
Greet = Callable[[CloudEvent[OrganisationRegistered], GreetingsUnitOfWork], Awaitable[None]]


async def greet_unless_poisoned(event: CloudEvent[OrganisationRegistered], uow: GreetingsUnitOfWork) -> None:
    """The test service's use case: a greeting per organisation; a poisoned name is a handler bug."""
    if event.data.name.startswith(POISON):
        raise ValueError(f"cannot greet {event.data.name}")
    await uow.greet(event.data.name)


async def fresh_topic(bootstrap: str, group: str, partitions: int = 3) -> Topic:
    """A topic no other test writes to, and the group's dead-letter topic."""
    topic = Topic(
        name=f"kit-batches-{uuid4().hex[:10]}",
        owner="kit-tests",
        key="organisation_id",
        description="batching tests",
        partitions=partitions,
    )
    await ensure_topics(bootstrap, [topic, dead_letter_topic(group)], client_id=group)
    return topic


def registration(name: str) -> CloudEvent[EventData]:
    """An OrganisationRegistered event for one name."""
    data = organisation(name)
    return CloudEvent[EventData](
        id=uuid4(),
        source="/tests",
        type=data.EVENT_TYPE,
        time=data.registered_at,
        subject=data.aggregate_id(),
        data=data,
    )


async def produce(
    bootstrap: str, topic: Topic, events: Sequence[CloudEvent[EventData]], key: bytes | None = None
) -> None:
    """Publish the events (all on one partition when ``key`` is given)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20)
    await producer.start()
    try:
        sent = []
        for event in events:
            event_key, value, headers = encode(event)
            sent.append(await producer.send(topic.name, value=value, key=key or event_key, headers=headers))
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


class Greeter:
    """A consumer group member of the greeting service, on a real broker and database."""

    def __init__(
        self,
        bootstrap: str,
        database: Database,
        group: str,
        topic: Topic,
        *,
        greet: Greet = greet_unless_poisoned,
        after_commit: AfterCommit | None = None,
        max_attempts: int = 2,
        max_records: int = 500,
    ) -> None:
        handlers: EventHandlers[GreetingsUnitOfWork] = EventHandlers()
        handlers.on(OrganisationRegistered)(greet)
        self.metrics = Metrics()
        self.producer = create_producer(bootstrap, client_id=group)
        self.runtime = ConsumerRuntime(
            group=group,
            handlers=handlers,
            unit_of_work=lambda: GreetingsUnitOfWork(database, source="/tests"),
            dead_letters=DeadLetters(self.producer, group, self.metrics),
            metrics=self.metrics,
            retry=RetryPolicy(
                max_attempts=max_attempts, initial_backoff_seconds=0.01, max_backoff_seconds=0.5
            ),
            after_commit=after_commit,
        )
        self.loop = ConsumerLoop(
            self.runtime,
            [topic],
            bootstrap_servers=bootstrap,
            client_id=group,
            metrics=self.metrics,
            settings=ConsumerSettings(
                max_records=max_records, session_timeout_ms=6000, heartbeat_interval_ms=1000
            ),
        )

    async def __aenter__(self) -> "Greeter":
        await self.producer.start()
        await self.loop.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.loop.stop()
        await self.producer.stop()


async def greeting_counts(database: Database) -> dict[str, int]:
    """How often each organisation was greeted."""
    async with database.session() as session:
        rows = await session.execute(
            text("SELECT organisation_name, count(*) FROM greetings GROUP BY organisation_name")
        )
        return {name: int(count) for name, count in rows}


async def inbox_size(database: Database, group: str) -> int:
    """How many events the group recorded as applied."""
    async with database.session() as session:
        count = await session.scalar(
            text("SELECT count(*) FROM tessera_inbox WHERE consumer = :g"), {"g": group}
        )
    return int(count or 0)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 60.0) -> None:
    """Wait until ``check`` holds."""
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.2)
