"""A miniature service for the kit's integration tests: one table, one event, real infrastructure."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord
from sqlalchemy import text

from tessera_events import EventData
from tessera_events.identity import Locale, OrganisationKind, OrganisationRegistered
from tessera_events.kafka_binding import event_id as event_id_of
from tessera_kit.db import Database
from tessera_kit.migrations import upgrade_to_head
from tessera_kit.uow import UnitOfWork

MIGRATIONS = Path(__file__).parent / "migrations"


async def migrate(database_url: str) -> None:
    """Create the kit's tables and the greetings table (Alembic runs its own event loop: a thread)."""
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, database_url)


def organisation(name: str = "Alpine Hosting AG") -> EventData:
    """An event to publish."""
    return OrganisationRegistered(
        organisation_id=uuid4(),
        name=name,
        kind=OrganisationKind.COMPANY,
        country="CH",
        locale=Locale.DE,
        billing_email="billing@alpine.example",
        registered_at=datetime.now(UTC),
    )


class GreetingsUnitOfWork(UnitOfWork):
    """The test service's unit of work."""

    async def greet(self, name: str) -> None:
        """The effect of applying an event."""
        await self.session.execute(text("INSERT INTO greetings (organisation_name) VALUES (:n)"), {"n": name})


async def greetings(database: Database, name: str) -> int:
    """How often an organisation was greeted."""
    async with database.session() as session:
        count = await session.scalar(
            text("SELECT count(*) FROM greetings WHERE organisation_name = :n"), {"n": name}
        )
    return int(count or 0)


async def records(
    bootstrap: str, topic: str, *, until: int, timeout: float = 30.0
) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:
    """Read a topic from its beginning with a fresh group, yielding records until ``until`` were seen."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"probe-{uuid4()}", auto_offset_reset="earliest"
    )
    await consumer.start()
    seen = 0
    try:
        async with asyncio.timeout(timeout):
            while seen < until:
                record = await consumer.getone()
                seen += 1
                yield record
    finally:
        await consumer.stop()


async def find_event(
    bootstrap: str, topic: str, event_id: str, timeout: float = 30.0
) -> ConsumerRecord[bytes, bytes]:
    """The record carrying one event id, read from the topic's beginning."""
    async for record in records(bootstrap, topic, until=10**9, timeout=timeout):
        if event_id_of(record.headers) == event_id:
            return record
    raise AssertionError(f"event {event_id} never reached {topic}")
