"""Database outages the kit must sit out: a server in recovery (57P03) and a restart that cuts LISTEN.

Both were outage bugs: records were dead-lettered while PostgreSQL replayed its WAL, and the relay
woke only on its slow sweep after a restart because its LISTEN connection never came back.
"""

import asyncio
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition
from batch_support import Greeter, eventually, fresh_topic, greeting_counts, inbox_size, produce, registration
from kit_support import GreetingsUnitOfWork, find_event, migrate, organisation
from pg_proxy import PostgresProxy
from sqlalchemy.engine import make_url

from tessera_events import dead_letter_topic
from tessera_events.identity import ORGANISATIONS
from tessera_kit.db import Database
from tessera_kit.kafka import create_producer, ensure_topics
from tessera_kit.metrics import Metrics
from tessera_kit.relay import OutboxRelay

pytestmark = pytest.mark.integration


async def proxy_for(url: str) -> PostgresProxy:
    parsed = make_url(url)
    proxy = PostgresProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    await proxy.start()
    return proxy


async def test_records_wait_while_the_database_is_in_recovery_instead_of_being_dead_lettered(
    infra, make_database
) -> None:
    group = f"kit-recovery-{uuid4().hex[:8]}"
    url = await make_database()
    await migrate(url)
    proxy = await proxy_for(url)
    database = Database(proxy.url_for(url))
    topic = await fresh_topic(infra.kafka_bootstrap, group)
    names = [f"Recovering Hosting {index}" for index in range(60)]

    proxy.recovering = True
    async with Greeter(infra.kafka_bootstrap, database, group, topic, max_attempts=2):
        await produce(infra.kafka_bootstrap, topic, [registration(name) for name in names])
        await asyncio.sleep(6.0)  # far more than two attempts' worth of backoff
        proxy.recovering = False
        await eventually(lambda: _applied(database, group, len(names)))

    assert await greeting_counts(database) == dict.fromkeys(names, 1)
    assert await _dead_letters(infra.kafka_bootstrap, group) == 0
    await database.dispose()
    await proxy.stop()


async def test_the_relay_listens_again_after_the_database_cut_its_connections(infra, make_database) -> None:
    url = await make_database()
    await migrate(url)
    proxy = await proxy_for(url)
    await ensure_topics(infra.kafka_bootstrap, [ORGANISATIONS], client_id="kit-tests")
    producer = create_producer(infra.kafka_bootstrap, client_id="kit-tests")
    await producer.start()
    direct = Database(url)
    # No sweep within the test: only a notification on a LISTEN connection can wake the relay.
    relay = OutboxRelay(Database(proxy.url_for(url)), producer, Metrics(), sweep_seconds=600.0)
    await relay.start()
    try:
        await _commit_and_find(direct, infra.kafka_bootstrap, "Before Restart AG")
        proxy.recovering = True
        proxy.drop_all()  # the restart: every connection gone, new ones refused for a while
        await asyncio.sleep(2.0)
        proxy.recovering = False
        await eventually(lambda: _listening(relay), timeout=15)
        await _commit_and_find(direct, infra.kafka_bootstrap, "After Restart SA")
    finally:
        await relay.stop()
        await producer.stop()
        await proxy.stop()
    assert relay.listener.reconnections >= 1
    await direct.dispose()


async def _commit_and_find(database: Database, bootstrap: str, name: str) -> None:
    async with GreetingsUnitOfWork(database, source="/tessera/kit-tests") as uow:
        event = uow.emit(organisation(f"{name} {uuid4().hex[:6]}"))
        await uow.commit()
    await find_event(bootstrap, ORGANISATIONS.name, str(event.id), timeout=10)


async def _listening(relay: OutboxRelay) -> bool:
    return relay.listener.listening


async def _applied(database: Database, group: str, expected: int) -> bool:
    try:
        return await inbox_size(database, group) >= expected
    except Exception:
        return False  # the proxy may still be refusing this check's connection


async def _dead_letters(bootstrap: str, group: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        ends = await consumer.end_offsets([TopicPartition(dead_letter_topic(group).name, 0)])
    finally:
        await consumer.stop()
    return sum(ends.values())
