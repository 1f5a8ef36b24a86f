"""What billing's integration tests drive: the running app, access tokens, and Kafka."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID, uuid4

import asyncpg
import httpx
import jwt
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

from tessera_billing.config import BillingSettings
from tessera_billing.main import define
from tessera_events import CloudEvent, EventData, Topic
from tessera_events.identity import Role
from tessera_events.kafka_binding import decode, encode
from tessera_kit.db import asyncpg_dsn
from tessera_kit.service import Runtime, create_app

T = TypeVar("T")
ISSUER = "tessera-identity"
AUDIENCE = "tessera"


class TokenIssuer:
    """Signs access tokens as identity would, with a key billing trusts (inserted in its database)."""

    def __init__(self, database_url: str) -> None:
        self._database_url = database_url
        self._key = Ed25519PrivateKey.generate()
        self.key_id = f"test-{uuid4().hex[:12]}"

    async def publish_key(self) -> None:
        """Trust the key the way the kit's SigningKeyPublished handler would."""
        pem = (
            self._key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
        connection = await asyncpg.connect(asyncpg_dsn(self._database_url))
        try:
            await connection.execute(
                "INSERT INTO tessera_trusted_keys (key_id, algorithm, public_key_pem, not_before) "
                "VALUES ($1, 'EdDSA', $2, $3)",
                self.key_id,
                pem,
                datetime.now(UTC) - timedelta(minutes=1),
            )
        finally:
            await connection.close()

    def token(self, orgs: dict[UUID, Role], user_id: UUID | None = None) -> str:
        """An access token for a user with the given roles."""
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": str(user_id or uuid4()),
            "orgs": {str(org): role.value for org, role in orgs.items()},
            "iat": now,
            "exp": now + 15 * 60,
        }
        return jwt.encode(claims, self._key, algorithm="EdDSA", headers={"kid": self.key_id})

    def headers(self, orgs: dict[UUID, Role], user_id: UUID | None = None) -> dict[str, str]:
        """The Authorization header for such a token."""
        return {"Authorization": f"Bearer {self.token(orgs, user_id)}"}


@dataclass
class RunningBilling:
    """The billing app with its lifespan running, and an HTTP client talking to it in process."""

    app: FastAPI
    http: httpx.AsyncClient
    settings: BillingSettings

    @property
    def runtime(self) -> Runtime[Any]:
        """The service's runtime (database, producer, handlers)."""
        runtime: Runtime[Any] = self.app.state.runtime
        return runtime


@contextlib.asynccontextmanager
async def running_billing(settings: BillingSettings) -> AsyncIterator[RunningBilling]:
    """Start billing (HTTP, consumers and relay) like ``tessera-billing serve`` does, minus uvicorn."""
    app = create_app(define(settings))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://billing") as http,
    ):
        yield RunningBilling(app=app, http=http, settings=settings)


async def create_topic(bootstrap: str, topic: Topic) -> None:
    """Create a topic with one replica, as a single-broker test Kafka needs.

    The kit's ensure_topics asks for the broker's default replication (-1), which aiokafka 0.14's
    NewTopic refuses; the suite's topics exist already, but a test's own dead-letter topic does not.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        with contextlib.suppress(TopicAlreadyExistsError):
            await admin.create_topics([NewTopic(topic.name, topic.partitions, 1, topic_configs=topic.config)])
    finally:
        await admin.close()


def envelope(data: EventData, *, source: str = "/tessera/partnership") -> CloudEvent[EventData]:
    """A contract event as its producer would wrap it."""
    return CloudEvent[EventData](
        id=uuid4(),
        source=source,
        type=data.EVENT_TYPE,
        time=datetime.now(UTC),
        subject=data.aggregate_id(),
        data=data,
    )


class Kafka:
    """Publishes contract events and reads what billing published."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self._producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)

    async def start(self) -> None:
        """Connect the producer."""
        await self._producer.start()

    async def stop(self) -> None:
        """Disconnect the producer."""
        await self._producer.stop()

    async def publish(self, event: CloudEvent[EventData]) -> None:
        """Produce one event to its contract topic, encoded with the CloudEvents Kafka binding."""
        key, value, headers = encode(event)
        await self._producer.send_and_wait(event.data.TOPIC.name, value=value, key=key, headers=headers)

    async def first(
        self, topic: str, matches: Callable[[CloudEvent[Any]], bool], timeout: float = 30.0
    ) -> CloudEvent[Any]:
        """The first event on ``topic`` (read from its beginning) that ``matches``."""
        found = await self.collect(topic, matches, count=1, timeout=timeout)
        return found[0]

    async def collect(
        self, topic: str, matches: Callable[[CloudEvent[Any]], bool], count: int, timeout: float = 30.0
    ) -> list[CloudEvent[Any]]:
        """The first ``count`` events on ``topic`` that match; fails after ``timeout`` seconds."""
        consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=self.bootstrap, group_id=None, auto_offset_reset="earliest"
        )
        await consumer.start()
        found: list[CloudEvent[Any]] = []
        try:
            async with asyncio.timeout(timeout):
                while len(found) < count:
                    batches = await consumer.getmany(timeout_ms=500)
                    for records in batches.values():
                        found.extend(event for event in map(_decoded, records) if matches(event))
        finally:
            await consumer.stop()
        return found[:count]


def _decoded(record: Any) -> CloudEvent[Any]:
    return decode(record.value)


async def eventually(probe: Callable[[], Awaitable[T | None]], timeout: float = 30.0) -> T:
    """Poll ``probe`` until it returns something other than None."""
    async with asyncio.timeout(timeout):
        while True:
            result = await probe()
            if result is not None:
                return result
            await asyncio.sleep(0.2)
