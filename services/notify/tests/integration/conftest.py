"""Fixtures: notify running (its lifespan, on a fresh database and the session's Kafka) and an SMTP server."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaProducer
from aiosmtpd.controller import Controller
from notify_harness import MIGRATIONS, RunningNotify, SmtpInbox, create_dead_letter_topic

from tessera_devtools.layout import free_port
from tessera_kit.migrations import upgrade_to_head
from tessera_kit.service import create_app
from tessera_notify.config import NotifySettings
from tessera_notify.main import define


@pytest.fixture
def smtp_inbox() -> Iterator[SmtpInbox]:
    """An SMTP server on a free local port, collecting messages in memory."""
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
async def notify(infra: Any, make_database: Any, smtp_inbox: SmtpInbox) -> AsyncIterator[RunningNotify]:
    """notify on a fresh database, consuming the session's Kafka and mailing ``smtp_inbox``.

    Its consumer group is new, so it also reads what earlier tests published; every test uses
    its own organisations and addresses, so those records never reach its assertions.
    """
    database_url = await make_database("notify")
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, database_url)
    service_name = f"notify-test-{uuid4().hex[:8]}"
    await create_dead_letter_topic(infra.kafka_bootstrap, service_name)
    settings = NotifySettings(
        database_url=database_url,
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        service_name=service_name,
        smtp_host="127.0.0.1",
        smtp_port=smtp_inbox.port,
        smtp_timeout_seconds=5.0,
        delivery_initial_backoff_seconds=0.5,
        delivery_sweep_seconds=5.0,
        consumer_max_attempts=3,
        consumer_initial_backoff_seconds=0.05,
        outbox_sweep_seconds=1.0,
    )
    app = create_app(define(settings))
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        async with app.router.lifespan_context(app):
            yield RunningNotify(app, settings, database_url, producer)
    finally:
        await producer.stop()
