"""Fixtures: one notify for the session (its lifespan, on a fresh database and the session's Kafka),
and one SMTP server collecting what it sends.

notify's consumer group is new; it starts at the current end of every topic it reads, so it does not
first work through what earlier tests published on the shared Kafka. Every test uses its own
organisations, people and addresses, so what others publish meanwhile never reaches its assertions.
"""

from collections.abc import AsyncIterator, Iterator

import pytest
from aiosmtpd.controller import Controller
from notify_harness import MIGRATIONS, RunningNotify, SmtpInbox, start_at_the_end

from tessera_devtools.endpoints import Endpoints
from tessera_devtools.layout import free_port
from tessera_devtools.postgres import create_database_async, drop_databases
from tessera_devtools.testing import KafkaProbe, running_service, unique_service_name
from tessera_events.identity import SIGNING_KEYS
from tessera_kit.migrations import upgrade_to_head
from tessera_notify.config import NotifySettings
from tessera_notify.main import define

OFFER_LINK_KEY = "notify-integration-tests-offer-link-key-0123456789"


@pytest.fixture(scope="session")
def smtp_inbox() -> Iterator[SmtpInbox]:
    """An SMTP server on a free local port (offering SMTPUTF8), collecting messages in memory."""
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=True)
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture(scope="session")
async def notify(infra: Endpoints, smtp_inbox: SmtpInbox) -> AsyncIterator[RunningNotify]:
    """notify on a fresh database, consuming the session's Kafka and mailing ``smtp_inbox``."""
    import asyncio

    name, url = await create_database_async(infra.postgres_admin_dsn, "notify_integration")
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    settings = NotifySettings(
        database_url=url,
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        service_name=unique_service_name("notify"),
        smtp_host="127.0.0.1",
        smtp_port=smtp_inbox.port,
        smtp_timeout_seconds=5.0,
        delivery_initial_backoff_seconds=0.5,
        delivery_sweep_seconds=5.0,
        consumer_max_attempts=3,
        consumer_initial_backoff_seconds=0.05,
        outbox_sweep_seconds=1.0,
        offer_link_key=OFFER_LINK_KEY,
        partnership_public_url="https://partnership.test",
    )
    topics = [topic.name for topic in (*define(settings).handlers.topics, SIGNING_KEYS)]
    await start_at_the_end(infra.kafka_bootstrap, settings.group, topics)
    try:
        async with KafkaProbe(infra.kafka_bootstrap) as kafka, running_service(define, settings) as service:
            yield RunningNotify(service, kafka)
    finally:
        drop_databases(infra.postgres_admin_dsn, [name])
