"""Fixtures: notify running (its lifespan, on a fresh database and the session's Kafka) and an SMTP server."""

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest
from aiosmtpd.controller import Controller
from notify_harness import MIGRATIONS, RunningNotify, SmtpInbox

from tessera_devtools.endpoints import Endpoints
from tessera_devtools.layout import free_port
from tessera_devtools.testing import KafkaProbe, migrated_database, running_service, unique_service_name
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
async def notify(
    infra: Endpoints, make_database: Callable[..., Awaitable[str]], smtp_inbox: SmtpInbox
) -> AsyncIterator[RunningNotify]:
    """notify on a fresh database, consuming the session's Kafka and mailing ``smtp_inbox``.

    Its consumer group is new, so it also reads what earlier tests published; every test uses
    its own organisations and addresses, so those records never reach its assertions.
    """
    settings = NotifySettings(
        database_url=await migrated_database(make_database, MIGRATIONS, "notify"),
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
    )
    async with KafkaProbe(infra.kafka_bootstrap) as kafka, running_service(define, settings) as service:
        yield RunningNotify(service, kafka)
