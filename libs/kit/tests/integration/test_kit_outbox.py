"""The transactional outbox on real PostgreSQL and Kafka."""

import asyncio
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import pytest
from kit_support import GreetingsUnitOfWork, find_event, migrate, organisation, records
from sqlalchemy import text

from tessera_events import Topic
from tessera_events.identity import ORGANISATIONS
from tessera_events.kafka_binding import event_id as event_id_of
from tessera_kit.db import Database
from tessera_kit.kafka import create_producer, ensure_topics
from tessera_kit.metrics import Metrics
from tessera_kit.relay import OutboxRelay

pytestmark = pytest.mark.integration


async def unpublished(database: Database) -> list[str]:
    async with database.session() as session:
        rows = await session.scalars(
            text("SELECT event_id::text FROM tessera_outbox WHERE published_at IS NULL")
        )
        return list(rows)


async def relaying(database: Database, bootstrap: str, sweep_seconds: float = 600.0) -> OutboxRelay:
    await ensure_topics(bootstrap, [ORGANISATIONS], client_id="kit-tests")
    producer = create_producer(bootstrap, client_id="kit-tests")
    await producer.start()
    relay = OutboxRelay(database, producer, Metrics(), sweep_seconds=sweep_seconds)
    await relay.start()
    relay.stop_producer = producer.stop  # type: ignore[attr-defined]
    return relay


async def stop(relay: OutboxRelay) -> None:
    await relay.stop()
    await relay.stop_producer()  # type: ignore[attr-defined]


async def test_an_event_committed_by_a_process_that_died_before_publishing_is_published_after_restart(
    infra, make_database
) -> None:
    url = await make_database()
    await migrate(url)
    crashed = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "crash_after_commit.py"), url],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent,
        timeout=60,
    )
    assert crashed.returncode == -9, crashed.stderr
    event_id = crashed.stdout.strip()
    database = Database(url)
    assert await unpublished(database) == [event_id]

    relay = await relaying(database, infra.kafka_bootstrap)
    try:
        record = await find_event(infra.kafka_bootstrap, ORGANISATIONS.name, event_id)
        async with asyncio.timeout(10):
            while await unpublished(database):  # marked once every send is acknowledged
                await asyncio.sleep(0.1)
    finally:
        await stop(relay)

    assert dict(record.headers)["tessera-event-id"].decode() == event_id
    await database.dispose()


async def test_a_rolled_back_transaction_leaves_nothing_to_publish(make_database) -> None:
    url = await make_database()
    await migrate(url)
    database = Database(url)

    async def failing_use_case() -> None:
        async with GreetingsUnitOfWork(database, source="/tessera/kit-tests") as uow:
            uow.emit(organisation())
            raise RuntimeError("the use case failed after emitting")

    with pytest.raises(RuntimeError):
        await failing_use_case()

    assert await unpublished(database) == []
    await database.dispose()


async def test_the_relay_wakes_on_commit_not_on_its_sweep(infra, make_database) -> None:
    url = await make_database()
    await migrate(url)
    database = Database(url)
    relay = await relaying(database, infra.kafka_bootstrap, sweep_seconds=600.0)
    try:
        await asyncio.sleep(0.5)  # let the relay drain its empty backlog and wait
        uow = GreetingsUnitOfWork(database, source="/tessera/kit-tests")
        async with uow:
            event = uow.emit(organisation("Woken Hosting SA"))
            await uow.commit()
        record = await find_event(infra.kafka_bootstrap, ORGANISATIONS.name, str(event.id), timeout=20)
    finally:
        await stop(relay)
    assert record.key == event.subject.encode()
    await database.dispose()


async def test_published_rows_past_their_retention_are_purged_and_unpublished_ones_never(
    infra, make_database
) -> None:
    url = await make_database()
    await migrate(url)
    database = Database(url)
    for name in ("Old News AG", "Waiting SA"):
        async with GreetingsUnitOfWork(database, source="/tessera/kit-tests") as uow:
            uow.emit(organisation(name))
            await uow.commit()
    async with database.session() as session, session.begin():
        await session.execute(
            text(
                "UPDATE tessera_outbox SET published_at = now() - interval '8 days' "
                "WHERE seq = (SELECT min(seq) FROM tessera_outbox)"
            )
        )
    relay = OutboxRelay(database, create_producer(infra.kafka_bootstrap, "kit-tests"), Metrics())

    assert await relay.purge_published() == 1
    assert await relay.purge_published() == 0
    assert len(await unpublished(database)) == 1
    await database.dispose()


async def test_a_backlog_of_several_batches_leaves_once_each_in_commit_order(infra, make_database) -> None:
    url = await make_database()
    await migrate(url)
    database = Database(url)
    topic = Topic(
        name=f"kit-relay-{uuid4().hex[:8]}", owner="kit-tests", key="k", description="", partitions=1
    )
    await ensure_topics(infra.kafka_bootstrap, [topic], client_id="kit-tests")
    events = [organisation(f"Backlog Hosting {index}") for index in range(2500)]
    async with GreetingsUnitOfWork(database, source="/tessera/kit-tests") as uow:
        emitted = [uow.emit(data) for data in events]
        await uow.commit()
    async with database.session() as session, session.begin():  # one key, one partition, one topic
        await session.execute(
            text("UPDATE tessera_outbox SET topic = :t, record_key = 'one'"), {"t": topic.name}
        )

    relay = await relaying(database, infra.kafka_bootstrap)
    try:
        seen = [event_id_of(r.headers) async for r in records(infra.kafka_bootstrap, topic.name, until=2500)]
        async with asyncio.timeout(10):
            while await unpublished(database):
                await asyncio.sleep(0.1)
    finally:
        await stop(relay)

    assert seen == [str(event.id) for event in emitted]
    await database.dispose()
