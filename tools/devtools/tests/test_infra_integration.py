"""The selected provider's Kafka, PostgreSQL, stripe-mock, SMTP inbox and Zipkin really answer."""

import smtplib
import uuid
from email.message import EmailMessage

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from opentelemetry.exporter.zipkin.json import ZipkinExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind

from tessera_devtools.endpoints import SERVICES, Endpoints
from tessera_devtools.kafka import create_topics
from tessera_devtools.smtp_inbox import wait_for_message
from tessera_devtools.zipkin import service_of, wait_for_trace
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


def test_spans_a_service_exports_to_zipkin_come_back_through_its_api(infra: Endpoints) -> None:
    assert infra.zipkin_url is not None
    provider = TracerProvider(resource=Resource.create({"service.name": "billing"}))
    provider.add_span_processor(SimpleSpanProcessor(ZipkinExporter(endpoint=f"{infra.zipkin_url}/api/v2/spans")))
    tracer = provider.get_tracer("smoke")
    with (
        tracer.start_as_current_span("renew subscription") as renewal,
        tracer.start_as_current_span("POST /v1/payment_intents", kind=SpanKind.CLIENT) as call,
    ):
        call.set_attribute("http.response.status_code", 200)
    provider.shutdown()

    trace_id = format(renewal.get_span_context().trace_id, "032x")
    spans = wait_for_trace(infra.zipkin_url, trace_id, {"billing"}, timeout=10)

    by_name = {span["name"]: span for span in spans}
    assert set(by_name) == {"renew subscription", "post /v1/payment_intents"}  # Zipkin lowercases names
    assert by_name["post /v1/payment_intents"]["kind"] == "CLIENT"
    assert by_name["post /v1/payment_intents"]["parentId"] == by_name["renew subscription"]["id"]
    assert by_name["post /v1/payment_intents"]["tags"]["http.response.status_code"] == "200"
    assert {service_of(span) for span in spans} == {"billing"}
