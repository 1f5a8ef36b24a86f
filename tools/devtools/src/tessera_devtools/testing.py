"""What the services' integration tests share: a service running in this process, access tokens it
accepts, contract events on the session's Kafka, and waiting for what happens asynchronously.

Nothing here starts infrastructure: the pytest plugin's ``infra`` and ``make_database`` fixtures do
(:mod:`tessera_devtools.pytest_plugin`). A service's test fixtures put the pieces together::

    settings = BillingSettings(
        service_name=unique_service_name("billing"),
        database_url=await migrated_database(make_database, MIGRATIONS, "billing"),
        kafka_bootstrap_servers=infra.kafka_bootstrap,
    )
    async with running_service(define, settings) as billing, KafkaProbe(infra.kafka_bootstrap) as kafka:
        tokens = TokenIssuer(settings.database_url)
        await tokens.trust()
        ...
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, TypeVar
from uuid import UUID, uuid4

import asyncpg
import httpx
import jwt
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

from tessera_events import CloudEvent, ContractViolation, EventData
from tessera_events.identity import Role, SigningKeyPublished
from tessera_events.kafka_binding import decode, encode
from tessera_kit.db import asyncpg_dsn
from tessera_kit.migrations import upgrade_to_head
from tessera_kit.service import Runtime, ServiceDefinition, create_app
from tessera_kit.settings import ServiceSettings

T = TypeVar("T")
SettingsT = TypeVar("SettingsT", bound=ServiceSettings)

TOKEN_ISSUER = "tessera-identity"
TOKEN_AUDIENCE = "tessera"
ACCESS_TOKEN_LIFETIME = timedelta(minutes=5)
PATIENCE_SECONDS = 30.0


def unique_service_name(service: str) -> str:
    """A service name no other test uses: its consumer group and dead-letter topic are its own, so no
    test waits on another's rebalance or reads another's offsets."""
    return f"{service}-test-{uuid4().hex[:8]}"


async def migrated_database(
    make_database: Callable[..., Awaitable[str]], migrations: Path, hint: str | None = None
) -> str:
    """A fresh database from the plugin's ``make_database``, at the newest schema of ``migrations``."""
    url = await make_database(hint)
    # Alembic's env runs its own event loop, so it cannot run on this one.
    await asyncio.to_thread(upgrade_to_head, migrations, url)
    return url


class TokenIssuer:
    """Signs access tokens as identity does (EdDSA JWTs), with a fresh key of its own.

    A service accepts the tokens once it trusts the key: :meth:`trust` inserts the key into the
    service's ``tessera_trusted_keys`` directly; a test of the way there publishes
    :meth:`signing_key_published` instead, as identity would.
    """

    def __init__(
        self, database_url: str, *, issuer: str = TOKEN_ISSUER, audience: str = TOKEN_AUDIENCE
    ) -> None:
        self.database_url = database_url
        self.issuer = issuer
        self.audience = audience
        self.key_id = f"test-{uuid4().hex[:12]}"
        self._key = Ed25519PrivateKey.generate()
        self._not_before = datetime.now(UTC) - timedelta(minutes=1)

    @property
    def public_key_pem(self) -> str:
        """The public half of the signing key, as identity publishes it (PEM, SubjectPublicKeyInfo)."""
        pem = self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return pem.decode()

    def signing_key_published(self) -> SigningKeyPublished:
        """The event identity publishes for this key."""
        return SigningKeyPublished(
            key_id=self.key_id,
            algorithm="EdDSA",
            public_key_pem=self.public_key_pem,
            not_before=self._not_before,
        )

    async def trust(self) -> None:
        """Make the service on ``database_url`` trust the key, as the kit's handler of SigningKeyPublished
        would."""
        connection = await asyncpg.connect(asyncpg_dsn(self.database_url))
        try:
            await connection.execute(
                "INSERT INTO tessera_trusted_keys (key_id, algorithm, public_key_pem, not_before) "
                "VALUES ($1, 'EdDSA', $2, $3)",
                self.key_id,
                self.public_key_pem,
                self._not_before,
            )
        finally:
            await connection.close()

    def token(
        self,
        orgs: dict[UUID, Role],
        user_id: UUID | None = None,
        *,
        application: str | None = None,
        scopes: tuple[str, ...] = (),
        api_token_id: UUID | None = None,
    ) -> str:
        """An access token for a user (a new one unless given) with a role in each of ``orgs``; with an
        ``application``, one exchanged for an API token limited to ``scopes`` (full names)."""
        now = time.time()
        claims: dict[str, object] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(user_id or uuid4()),
            "orgs": {str(organisation): role.value for organisation, role in orgs.items()},
            "iat": round(now, 3),
            "exp": int(now + ACCESS_TOKEN_LIFETIME.total_seconds()),
            "jti": str(uuid4()),
            "amr": ["api_token" if application else "pwd"],
        }
        if application:
            claims |= {
                "app": application,
                "scope": " ".join(scopes),
                "api_token_id": str(api_token_id or uuid4()),
            }
        return jwt.encode(claims, self._key, algorithm="EdDSA", headers={"kid": self.key_id})

    def headers(
        self,
        orgs: dict[UUID, Role],
        user_id: UUID | None = None,
        *,
        application: str | None = None,
        scopes: tuple[str, ...] = (),
        api_token_id: UUID | None = None,
    ) -> dict[str, str]:
        """The ``Authorization`` header carrying such a token."""
        token = self.token(orgs, user_id, application=application, scopes=scopes, api_token_id=api_token_id)
        return {"Authorization": f"Bearer {token}"}


@dataclass
class RunningService(Generic[SettingsT]):
    """A service running in this process, and an HTTP client calling its app without a socket."""

    app: FastAPI
    http: httpx.AsyncClient
    settings: SettingsT

    @property
    def runtime(self) -> Runtime[Any]:
        """The service's runtime: its database, producer, handlers and units of work."""
        runtime: Runtime[Any] = self.app.state.runtime
        return runtime


@contextlib.asynccontextmanager
async def running_service(
    define: Callable[[SettingsT], ServiceDefinition[Any]], settings: SettingsT
) -> AsyncIterator[RunningService[SettingsT]]:
    """Run a service as ``tessera-<service> serve`` does, minus uvicorn: HTTP, consumers, relay and
    background jobs on the real PostgreSQL and Kafka. The kit creates the topics it misses (with
    ``settings.topic_replication_factor``, 1 by default), its dead-letter topic among them."""
    app = create_app(define(settings))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app), base_url=f"http://{settings.service_name}"
        ) as http,
    ):
        yield RunningService(app=app, http=http, settings=settings)


def envelope(
    data: EventData, *, source: str, event_id: UUID | None = None, time: datetime | None = None
) -> CloudEvent[EventData]:
    """``data`` in the CloudEvents envelope its producer (``source``, e.g. "/tessera/billing") gives it."""
    return CloudEvent[EventData](
        id=event_id or uuid4(),
        source=source,
        type=data.EVENT_TYPE,
        time=time or datetime.now(UTC),
        subject=data.aggregate_id(),
        data=data,
    )


class KafkaProbe:
    """Publishes contract events as their owners' relays would, and reads what services published.

    Publishing needs a producer: use the probe as an async context manager, or call :meth:`start` and
    :meth:`stop`. Reading (:meth:`collect`, :meth:`first`) needs neither.
    """

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        """Connect the producer."""
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all", enable_idempotence=True)
        await producer.start()
        self._producer = producer

    async def stop(self) -> None:
        """Disconnect the producer."""
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()

    async def __aenter__(self) -> KafkaProbe:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.stop()

    async def publish(
        self, event: CloudEvent[EventData], *, headers: Sequence[tuple[str, bytes]] = ()
    ) -> None:
        """Produce one event to its contract topic with the CloudEvents Kafka binding, plus ``headers``
        (a trace context, say)."""
        if self._producer is None:
            raise RuntimeError("start the KafkaProbe before publishing")
        key, value, binding_headers = encode(event)
        await self._producer.send_and_wait(
            event.data.TOPIC.name, value=value, key=key, headers=[*binding_headers, *headers]
        )

    async def collect(
        self,
        topics: str | Iterable[str],
        matches: Callable[[CloudEvent[Any]], bool],
        count: int,
        timeout: float = PATIENCE_SECONDS,
    ) -> list[CloudEvent[Any]]:
        """The first ``count`` events on ``topics`` that ``matches``, each topic read from its beginning.

        Records that are not events of the contracts are passed over: the broker is shared with other
        tests, some of which publish malformed records on purpose. Fails after ``timeout`` seconds.
        """
        names = [topics] if isinstance(topics, str) else list(topics)
        consumer = AIOKafkaConsumer(
            *names,
            bootstrap_servers=self.bootstrap,
            group_id=f"test-probe-{uuid4().hex}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        found: list[CloudEvent[Any]] = []
        try:
            async with asyncio.timeout(timeout):
                while len(found) < count:
                    batches = await consumer.getmany(timeout_ms=500)
                    for records in batches.values():
                        found += [event for event in _events(records) if matches(event)]
        except TimeoutError:
            raise AssertionError(
                f"{len(found)} of {count} matching events on {', '.join(names)} after {timeout:.0f} s"
            ) from None
        finally:
            await consumer.stop()
        return found[:count]

    async def first(
        self,
        topics: str | Iterable[str],
        matches: Callable[[CloudEvent[Any]], bool],
        timeout: float = PATIENCE_SECONDS,
    ) -> CloudEvent[Any]:
        """The first event on ``topics`` (read from the beginning) that ``matches``."""
        [found] = await self.collect(topics, matches, count=1, timeout=timeout)
        return found


def _events(records: Iterable[Any]) -> list[CloudEvent[Any]]:
    """The records' events, passing over values that are not an event of the contracts."""
    events: list[CloudEvent[Any]] = []
    for record in records:
        with contextlib.suppress(ContractViolation):
            events.append(decode(record.value))
    return events


async def eventually(
    probe: Callable[[], Awaitable[T | None]],
    timeout: float = PATIENCE_SECONDS,
    *,
    until: Callable[[T], bool] = bool,
    what: str | None = None,
    interval: float = 0.1,
) -> T:
    """Call ``probe`` until its result is not None and ``until`` holds for it (by default: until it is
    truthy); return that result. Fails after ``timeout`` seconds, naming ``what`` it waited for and
    the last result."""
    last: T | None = None
    try:
        async with asyncio.timeout(timeout):
            while True:
                last = await probe()
                if last is not None and until(last):
                    return last
                await asyncio.sleep(interval)
    except TimeoutError:
        awaited = what or getattr(probe, "__qualname__", repr(probe))
        raise AssertionError(
            f"timed out after {timeout:.0f} s waiting for {awaited}; last: {last!r}"
        ) from None
