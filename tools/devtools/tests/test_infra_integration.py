"""The selected provider's Kafka, PostgreSQL, stripe-mock, SMTP inbox and collector really answer."""

import smtplib
import uuid
from email.message import EmailMessage

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from tessera_devtools.endpoints import SERVICES, Endpoints
from tessera_devtools.kafka import create_topics
from tessera_devtools.smtp_inbox import wait_for_message
from tessera_events import Topic

pytestmark = pytest.mark.integration


async def test_a_record_goes_through_kafka(infra: Endpoints) -> None:
    topic = Topic(
        name=f"tessera.devtools.smoke-{uuid.uuid4().hex[:6]}", owner="devtools", key="id", description=""
    )
    create_topics(infra.kafka_bootstrap, [topic])
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic.name, b"hello", key=b"k1")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic.name,
        bootstrap_servers=infra.kafka_bootstrap,
        group_id="devtools-smoke",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        record = await consumer.getone()
    finally:
        await consumer.stop()
    assert (record.key, record.value) == (b"k1", b"hello")


async def test_each_service_database_answers_as_its_own_role(infra: Endpoints) -> None:
    assert set(infra.database_urls) == set(SERVICES)
    for service, url in infra.database_urls.items():
        connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            assert await connection.fetchval("SELECT 1") == 1
            assert await connection.fetchval("SELECT current_user") == await connection.fetchval(
                "SELECT current_database()"
            )
            assert str(await connection.fetchval("SELECT current_database()")).startswith(service)
        finally:
            await connection.close()


async def test_make_database_gives_a_fresh_database(make_database: object) -> None:
    first, second = await make_database("one"), await make_database("two")  # type: ignore[operator]
    assert first != second
    connection = await asyncpg.connect(first.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute("CREATE TABLE t (id int)")
        assert await connection.fetchval("SELECT count(*) FROM t") == 0
    finally:
        await connection.close()


async def test_stripe_mock_answers(infra: Endpoints) -> None:
    async with httpx.AsyncClient(base_url=infra.stripe_api_base) as client:
        response = await client.post(
            "/v1/customers", data={"email": "a@example.com"}, headers={"Authorization": "Bearer sk_test_123"}
        )
    assert response.status_code == 200
    assert response.json()["object"] == "customer"


def test_the_smtp_inbox_keeps_what_it_receives(infra: Endpoints) -> None:
    assert infra.maildir is not None
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "a@tessera.test", "b@example.com", f"smoke {uuid.uuid4()}"
    mail.set_content("hello")
    with smtplib.SMTP(infra.smtp_host, infra.smtp_port) as smtp:
        smtp.send_message(mail)
    assert wait_for_message(infra.maildir, lambda m: m["Subject"] == mail["Subject"], timeout=5)
