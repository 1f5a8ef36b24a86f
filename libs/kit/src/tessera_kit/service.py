"""The composition root every service uses: one process runs its HTTP API, consumers and relay."""

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

import structlog
from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, FastAPI, Request

from tessera_events import Topic, dead_letter_topic
from tessera_events.identity import SigningKeyPublished
from tessera_kit.auth import TokenVerifier, trusted_key_handlers
from tessera_kit.clock import Clock, SystemClock
from tessera_kit.consumer_loop import ConsumerLoop, ConsumerSettings
from tessera_kit.consumers import AfterCommit, ConsumerRuntime, EventHandlers, RetryPolicy
from tessera_kit.db import Database
from tessera_kit.dead_letters import DeadLetters
from tessera_kit.health import database_check, kafka_check, migrations_check
from tessera_kit.http import (
    FASTAPI_TELEMETRY,
    install_observability,
    install_operational_routes,
    install_problem_handlers,
)
from tessera_kit.kafka import check_connection, create_producer, ensure_topics
from tessera_kit.metrics import Metrics
from tessera_kit.openapi import install as install_published_openapi
from tessera_kit.permissions import undeclared_routes
from tessera_kit.relay import OutboxRelay
from tessera_kit.request_limits import install_request_limits
from tessera_kit.revocations import revocation_handlers
from tessera_kit.settings import ServiceSettings
from tessera_kit.telemetry import configure_logging, configure_tracing
from tessera_kit.uow import UnitOfWork

UowT = TypeVar("UowT", bound=UnitOfWork)
log = structlog.get_logger(__name__)


@dataclass
class ServiceDefinition(Generic[UowT]):
    """What makes one service: its settings, schema, use cases and the events it reacts to."""

    settings: ServiceSettings
    title: str
    description: str
    migrations_dir: Path
    unit_of_work: Callable[[Database, Clock], UowT]
    routers: Sequence[APIRouter] = ()
    handlers: EventHandlers[UowT] = field(default_factory=EventHandlers)
    publishes: Sequence[Topic] = ()
    background: Sequence[Callable[["Runtime[UowT]"], Awaitable[None]]] = ()
    after_commit: Callable[["Runtime[UowT]"], AfterCommit] | None = None
    version: str = "0.1.0"
    # identity writes the revocation tables in its own transactions; every other service projects them.
    projects_revocations: bool = True


class Runtime(Generic[UowT]):
    """Everything alive in a running service process; reachable from routes as app.state.runtime."""

    def __init__(self, definition: ServiceDefinition[UowT], clock: Clock) -> None:
        settings = definition.settings
        self.definition = definition
        self.settings = settings
        self.clock = clock
        self.metrics = Metrics()
        self.database = Database(settings.database_url, pool_size=settings.database_pool_size)
        # Every Kafka client (producer, admin, the broker's consumers) connects the same way.
        self.kafka_security = settings.kafka_security
        self.producer: AIOKafkaProducer = create_producer(
            settings.kafka_bootstrap_servers, client_id=settings.service_name, security=self.kafka_security
        )
        self.relay = OutboxRelay(
            self.database,
            self.producer,
            self.metrics,
            batch_size=settings.outbox_batch_size,
            sweep_seconds=settings.outbox_sweep_seconds,
            retention=timedelta(hours=settings.outbox_retention_hours),
        )
        self.token_verifier = TokenVerifier(
            self.database, audience=settings.token_audience, issuer=settings.token_issuer
        )
        self.handlers: EventHandlers[Any] = EventHandlers()
        self.handlers.include(definition.handlers)
        if not _handles_signing_keys(definition.handlers):
            self.handlers.include(trusted_key_handlers)
        if definition.projects_revocations:
            self.handlers.include_alongside(revocation_handlers)
        self._tasks: list[asyncio.Task[None]] = []
        self.consumer: ConsumerLoop | None = None

    def unit_of_work(self) -> UowT:
        """A new unit of work on this service's database."""
        return self.definition.unit_of_work(self.database, self.clock)

    @property
    def topics(self) -> tuple[Topic, ...]:
        """Every topic this service publishes to or consumes from, with its dead-letter topic."""
        dead_letters = dead_letter_topic(self.settings.group)
        named = {t.name: t for t in (*self.definition.publishes, *self.handlers.topics, dead_letters)}
        return tuple(named.values())

    async def start(self) -> None:
        """Connect to Kafka and PostgreSQL, then start relaying, consuming and background work.

        Raises :class:`~tessera_kit.kafka.KafkaConnectionFailed`, saying why, when Kafka refuses the
        connection (e.g. wrong credentials or an untrusted certificate).
        """
        bootstrap = self.settings.kafka_bootstrap_servers
        await check_connection(bootstrap, self.kafka_security, client_id=self.settings.service_name)
        await self.producer.start()
        await ensure_topics(
            bootstrap,
            self.topics,
            client_id=self.settings.service_name,
            replication_factor=self.settings.topic_replication_factor,
            security=self.kafka_security,
        )
        await self.relay.start()
        consumer = ConsumerRuntime(
            group=self.settings.group,
            handlers=self.handlers,
            unit_of_work=self.unit_of_work,
            dead_letters=DeadLetters(self.producer, self.settings.group, self.metrics),
            metrics=self.metrics,
            retry=RetryPolicy(
                max_attempts=self.settings.consumer_max_attempts,
                initial_backoff_seconds=self.settings.consumer_initial_backoff_seconds,
                max_backoff_seconds=self.settings.consumer_max_backoff_seconds,
            ),
            after_commit=self.definition.after_commit(self) if self.definition.after_commit else None,
        )
        self.consumer = ConsumerLoop(
            consumer,
            self.handlers.topics,
            bootstrap_servers=bootstrap,
            client_id=self.settings.service_name,
            metrics=self.metrics,
            settings=ConsumerSettings(
                max_records=self.settings.consumer_batch_size,
                concurrency=self.settings.consumer_concurrency,
                session_timeout_ms=self.settings.consumer_session_timeout_ms,
                heartbeat_interval_ms=self.settings.consumer_heartbeat_interval_ms,
                instance_id=self.settings.consumer_instance_id,
            ),
            security=self.kafka_security,
        )
        await self.consumer.start()
        for work in self.definition.background:
            name = getattr(work, "__name__", repr(work))
            self._tasks.append(asyncio.create_task(_supervised(work, self), name=name))

    async def stop(self) -> None:
        """Stop in the reverse order; unpublished outbox rows wait for the next start."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.consumer is not None:
            await self.consumer.stop()
        await self.relay.stop()
        await self.producer.stop()
        await self.database.dispose()


def _handles_signing_keys(handlers: EventHandlers[Any]) -> bool:
    return handlers.handler_for(SigningKeyPublished.EVENT_TYPE) is not None


async def _supervised(work: Callable[[Runtime[Any]], Awaitable[None]], runtime: Runtime[Any]) -> None:
    """Keep a background job running: log its failure and restart it after a pause."""
    while True:
        try:
            await work(runtime)
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # failed while being stopped: restarting would outlive the stop
            log.exception("background job failed; restarting", job=getattr(work, "__name__", repr(work)))
            await asyncio.sleep(1.0)


def create_app(definition: ServiceDefinition[UowT], clock: Clock | None = None) -> FastAPI:
    """The service's ASGI app; connections are made in the lifespan, never at import time."""
    settings = definition.settings
    configure_logging(settings)
    provider = configure_tracing(settings)
    runtime = Runtime(definition, clock or SystemClock())

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        log.info("service started", topics=[topic.name for topic in runtime.topics])
        try:
            yield
        finally:
            await runtime.stop()
            provider.force_flush()

    app = FastAPI(
        title=definition.title,
        description=definition.description,
        version=definition.version,
        lifespan=lifespan,
        telemetry=FASTAPI_TELEMETRY,
    )
    app.state.runtime = runtime
    app.state.token_verifier = runtime.token_verifier
    install_problem_handlers(app)
    install_request_limits(app, settings.http_max_body_bytes)
    outages = install_observability(app, runtime.metrics)
    install_operational_routes(
        app,
        runtime.metrics,
        # Built on first use, then kept: probes come every few seconds, and the checks (the migration
        # scripts read from disk) and the document do not change while the process runs.
        checks=functools.cache(
            lambda: {
                "database": database_check(runtime.database),
                "kafka": kafka_check(runtime.producer),
                "migrations": migrations_check(runtime.database, definition.migrations_dir),
            }
        ),
        asyncapi=functools.cache(lambda: _asyncapi(runtime.topics)),
        outages=outages,
    )
    for router in definition.routers:
        if undeclared := undeclared_routes(router.routes):
            raise ValueError(f"{definition.title}: routes that declare no permission: {undeclared}")
        app.include_router(router)
    install_published_openapi(app, settings.service_name)
    return app


def _asyncapi(topics: Sequence[Topic]) -> dict[str, Any]:
    from tessera_events.asyncapi import asyncapi_document

    return asyncapi_document(topics)


def runtime_of(request: Request) -> Runtime[Any]:
    """The running service behind a request."""
    runtime: Runtime[Any] = request.app.state.runtime
    return runtime
