"""The kit's Kafka clients on a listener that requires SASL (SASL_PLAINTEXT, mechanism PLAIN).

The local provider's Kafka opens such a listener next to its PLAINTEXT one (``infra.kafka_sasl_*``);
with a provider that has none, these tests are skipped. TLS is covered by unit tests of the mapping
only (tests/unit/test_kit_kafka_security_mapping.py).
"""

import asyncio
from collections.abc import Awaitable, Callable
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaConnectionError
from kit_support import MIGRATIONS, GreetingsUnitOfWork, greetings, migrate, organisation
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from tessera_events import CloudEvent
from tessera_events.identity import ORGANISATIONS, OrganisationRegistered
from tessera_kit.clock import Clock, SystemClock
from tessera_kit.consumers import EventHandlers
from tessera_kit.db import Database
from tessera_kit.kafka import (
    KafkaConnectionFailed,
    aiokafka_security_options,
    check_connection,
    create_producer,
    ensure_topics,
)
from tessera_kit.service import Runtime, ServiceDefinition
from tessera_kit.settings import ServiceSettings

pytestmark = pytest.mark.integration

FAIL_WITHIN = 30.0  # seconds: a refused login must end in an error, never in a hang


class KitTestSettings(ServiceSettings):
    """The settings of a miniature service (environment prefix ``KIT_TEST_``)."""

    model_config = SettingsConfigDict(env_prefix="KIT_TEST_", extra="ignore")


def sasl_settings(infra, database_url: str, *, password: str | None = None) -> KitTestSettings:  # type: ignore[no-untyped-def]
    """Settings of a service that reaches Kafka through the SASL listener (with ``password`` if given)."""
    if infra.kafka_sasl_bootstrap is None:
        pytest.skip("this provider's Kafka has no SASL listener")
    return KitTestSettings(
        service_name=f"kit-sasl-{uuid4().hex[:8]}",
        database_url=database_url,
        kafka_bootstrap_servers=infra.kafka_sasl_bootstrap,
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_mechanism="PLAIN",
        kafka_sasl_username=infra.kafka_sasl_username,
        kafka_sasl_password=SecretStr(password if password is not None else infra.kafka_sasl_password),
        outbox_sweep_seconds=600.0,  # the relay must be woken by the commit
    )


async def greet(event: CloudEvent[OrganisationRegistered], uow: GreetingsUnitOfWork) -> None:
    await uow.greet(event.data.name)


def greeting_service(settings: KitTestSettings) -> ServiceDefinition[GreetingsUnitOfWork]:
    handlers: EventHandlers[GreetingsUnitOfWork] = EventHandlers()
    handlers.on(OrganisationRegistered)(greet)

    def unit_of_work(database: Database, clock: Clock) -> GreetingsUnitOfWork:
        return GreetingsUnitOfWork(database, source="/tessera/kit-tests", clock=clock)

    return ServiceDefinition(
        settings=settings,
        title="kit SASL test",
        description="publishes and greets organisations",
        migrations_dir=MIGRATIONS,
        unit_of_work=unit_of_work,
        handlers=handlers,
        publishes=[ORGANISATIONS],
    )


async def eventually(predicate: Callable[[], Awaitable[bool]], timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not await predicate():
            await asyncio.sleep(0.2)


async def test_an_event_is_relayed_and_consumed_back_through_the_sasl_listener(infra, make_database) -> None:  # type: ignore[no-untyped-def]
    url = await make_database()
    await migrate(url)
    settings = sasl_settings(infra, url)
    runtime = Runtime(greeting_service(settings), SystemClock())
    name = f"Authenticated Hosting {uuid4().hex[:6]}"

    # Producer (outbox relay and dead letters), admin client (topics) and the consumer loop's
    # consumer: all from the same settings, all through the listener that requires a login.
    await runtime.start()
    try:
        async with runtime.unit_of_work() as uow:
            uow.emit(organisation(name))
            await uow.commit()
        await eventually(lambda: greeted(runtime.database, name))
    finally:
        await runtime.stop()

    database = Database(url)
    assert await greetings(database, name) == 1
    await database.dispose()


async def greeted(database: Database, name: str) -> bool:
    return await greetings(database, name) >= 1


async def test_a_consumer_and_the_producer_work_outside_a_runtime_too(infra, make_database) -> None:  # type: ignore[no-untyped-def]
    security = sasl_settings(infra, await make_database()).kafka_security
    bootstrap = infra.kafka_sasl_bootstrap
    group = f"kit-sasl-{uuid4().hex[:8]}"
    await ensure_topics(bootstrap, [ORGANISATIONS], client_id=group, security=security)
    producer = create_producer(bootstrap, client_id=group, security=security)
    consumer = AIOKafkaConsumer(
        ORGANISATIONS.name,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        **aiokafka_security_options(security),
    )
    marker = uuid4().hex.encode()

    await producer.start()
    await consumer.start()
    try:
        await producer.send_and_wait(ORGANISATIONS.name, marker, key=b"kit-sasl")
        async with asyncio.timeout(30):
            while (await consumer.getone()).value != marker:
                pass
    finally:
        await consumer.stop()
        await producer.stop()


async def test_a_wrong_password_fails_start_up_clearly_and_quickly(infra, make_database) -> None:  # type: ignore[no-untyped-def]
    url = await make_database()
    settings = sasl_settings(infra, url, password="not-the-password")
    runtime = Runtime(greeting_service(settings), SystemClock())

    try:
        async with asyncio.timeout(FAIL_WITHIN):
            with pytest.raises(KafkaConnectionFailed) as failed:
                await runtime.start()
    finally:
        await runtime.producer.stop()
        await runtime.database.dispose()

    message = str(failed.value)
    assert f"cannot connect to Kafka at {infra.kafka_sasl_bootstrap}" in message
    assert f"SASL_PLAINTEXT, PLAIN as {infra.kafka_sasl_username!r}" in message
    assert "SaslAuthenticationFailed" in message
    assert "invalid username or password" in message.lower()
    assert "not-the-password" not in message


async def test_each_client_gives_up_on_a_wrong_password_instead_of_hanging(infra, make_database) -> None:  # type: ignore[no-untyped-def]
    security = sasl_settings(infra, await make_database(), password="not-the-password").kafka_security
    bootstrap = infra.kafka_sasl_bootstrap

    async with asyncio.timeout(FAIL_WITHIN):
        with pytest.raises(KafkaConnectionFailed, match=r"(?i)invalid username or password"):
            await check_connection(bootstrap, security)

        producer = create_producer(bootstrap, client_id="kit-sasl", security=security)
        with pytest.raises(KafkaConnectionError):
            await producer.start()
        await producer.stop()

        with pytest.raises(KafkaConnectionError):
            await ensure_topics(bootstrap, [ORGANISATIONS], client_id="kit-sasl", security=security)

        consumer = AIOKafkaConsumer(
            ORGANISATIONS.name,
            bootstrap_servers=bootstrap,
            group_id="kit-sasl",
            **aiokafka_security_options(security),
        )
        with pytest.raises(KafkaConnectionError):
            await consumer.start()
        await consumer.stop()


async def test_a_plaintext_client_is_not_let_in_on_the_sasl_listener(infra) -> None:  # type: ignore[no-untyped-def]
    if infra.kafka_sasl_bootstrap is None:
        pytest.skip("this provider's Kafka has no SASL listener")
    async with asyncio.timeout(FAIL_WITHIN):
        with pytest.raises(KafkaConnectionFailed, match=r"\(PLAINTEXT\)"):
            await check_connection(infra.kafka_sasl_bootstrap, timeout=5.0)
