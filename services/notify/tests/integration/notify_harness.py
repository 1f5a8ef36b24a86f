"""What notify's integration tests share: an SMTP server that collects what it receives, notify
running in-process, and the other services' events to publish to it."""

import asyncio
import email
import email.policy
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import jwt
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

import tessera_notify.main
from tessera_events import CloudEvent, Currency, EventData, Money, dead_letter_topic, topic_for
from tessera_events.billing import PayerReassigned, ReassignedSubscription
from tessera_events.identity import (
    Locale,
    OrganisationKind,
    OrganisationRegistered,
    Role,
    SigningKeyPublished,
)
from tessera_events.kafka_binding import encode
from tessera_events.partnership import BillingMode
from tessera_kit.db import asyncpg_dsn
from tessera_notify.config import NotifySettings

MIGRATIONS = Path(tessera_notify.main.__file__).parent / "migrations"


class SmtpInbox:
    """aiosmtpd handler: keeps every accepted message; can answer 451 once or 550 always per address."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.busy_once: dict[str, str] = {}
        self.unknown: set[str] = set()
        self.port = 0

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.unknown:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        for address in envelope.rcpt_tos:
            if address in self.busy_once:
                return self.busy_once.pop(address)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages received for one address."""
        return [message for message in self.messages if message["To"] == address]


@dataclass
class RunningNotify:
    """notify running in this process, with a look into its database."""

    app: FastAPI
    settings: NotifySettings
    database_url: str
    producer: AIOKafkaProducer
    published: list[CloudEvent[EventData]] = field(default_factory=list)

    async def publish(
        self, event: CloudEvent[EventData], trace_headers: Sequence[tuple[str, bytes]] = ()
    ) -> None:
        """Produce an event to its contract topic, as its owning service's relay would."""
        key, value, headers = encode(event)
        await self.producer.send_and_wait(
            topic_for(event.type).name, value=value, key=key, headers=[*headers, *trace_headers]
        )

    async def count(self, query: str, *arguments: object) -> int:
        """How many rows a query on notify's database returns."""
        return len(await self.fetch(query, *arguments))

    def http(self) -> httpx.AsyncClient:
        """An HTTP client calling the app in-process."""
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://notify")

    async def trust_new_signing_key(self) -> "TokenIssuer":
        """Publish identity's SigningKeyPublished for a new key; wait until notify trusts it."""
        issuer = TokenIssuer(key_id=f"test-{uuid4().hex[:8]}", private_key=Ed25519PrivateKey.generate())
        await self.publish(event(issuer.published(), "/tessera/identity"))
        await eventually(
            lambda: self.fetch("SELECT 1 FROM tessera_trusted_keys WHERE key_id = $1", issuer.key_id),
            what="notify to trust the signing key",
        )
        return issuer

    async def fetch(self, query: str, *arguments: object) -> list[asyncpg.Record]:
        """Rows of a query on notify's database."""
        connection = await asyncpg.connect(asyncpg_dsn(self.database_url))
        try:
            rows: list[asyncpg.Record] = await connection.fetch(query, *arguments)
            return rows
        finally:
            await connection.close()

    async def register_organisation(self, name: str, locale: Locale, country: str) -> OrganisationRegistered:
        """Publish identity's OrganisationRegistered and wait until notify knows the organisation."""
        organisation_id = uuid4()
        data = OrganisationRegistered(
            organisation_id=organisation_id,
            name=name,
            kind=OrganisationKind.COMPANY,
            country=country,
            locale=locale,
            billing_email=f"billing-{organisation_id.hex[:12]}@example.org",
            registered_at=datetime.now(UTC),
        )
        await self.publish(event(data, "/tessera/identity"))
        await eventually(
            lambda: self.fetch("SELECT 1 FROM organisations WHERE id = $1", organisation_id),
            what=f"notify to learn of {name}",
        )
        return data


@dataclass(frozen=True)
class TokenIssuer:
    """Signs access tokens the way identity does, with a key notify learned of."""

    key_id: str
    private_key: Ed25519PrivateKey

    def published(self) -> SigningKeyPublished:
        """The event identity publishes for this key."""
        pem = self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return SigningKeyPublished(
            key_id=self.key_id,
            algorithm="EdDSA",
            public_key_pem=pem.decode(),
            not_before=datetime.now(UTC) - timedelta(minutes=1),
        )

    def token(self, user_id: UUID, roles: dict[UUID, Role]) -> str:
        """An access token for a user with the given roles."""
        now = int(time.time())
        claims = {
            "iss": "tessera-identity",
            "aud": "tessera",
            "sub": str(user_id),
            "orgs": {str(organisation): role.value for organisation, role in roles.items()},
            "iat": now,
            "exp": now + 900,
        }
        return jwt.encode(claims, self.private_key, algorithm="EdDSA", headers={"kid": self.key_id})


def event(data: EventData, source: str, event_id: UUID | None = None) -> CloudEvent[EventData]:
    """The CloudEvents envelope of ``data``."""
    return CloudEvent[EventData](
        id=event_id or uuid4(),
        source=source,
        type=data.EVENT_TYPE,
        time=datetime.now(UTC),
        subject=data.aggregate_id(),
        data=data,
    )


def payer_reassigned(
    partner: OrganisationRegistered, client: OrganisationRegistered, mode: BillingMode
) -> PayerReassigned:
    """Billing's event: the client's managed renewals now go to whoever ``mode`` names."""
    payer, previous = (partner, client) if mode is BillingMode.PARTNER_PAYS else (client, partner)
    return PayerReassigned(
        relationship_id=uuid4(),
        client_organisation_id=client.organisation_id,
        partner_organisation_id=partner.organisation_id,
        billing_mode=mode,
        previous_payer_organisation_id=previous.organisation_id,
        new_payer_organisation_id=payer.organisation_id,
        effective_at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
        subscriptions=(
            ReassignedSubscription(
                subscription_id=uuid4(),
                product_name="Web Hosting Pro",
                price=Money(amount_minor=11900, currency=Currency.CHF),
                next_renewal_on=date(2026, 4, 1),
            ),
        ),
    )


async def eventually(
    check: Callable[[], Awaitable[Any]],
    *,
    what: str,
    timeout: float = 30.0,
    interval: float = 0.1,
    until: Callable[[Any], bool] = bool,
) -> Any:
    """Poll ``check`` until ``until`` holds for its result; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if until(result):
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(interval)


async def create_dead_letter_topic(bootstrap: str, consumer_group: str) -> None:
    """Create the group's dead-letter topic ahead of the kit.

    The kit's ensure_topics asks for replication factor -1, which aiokafka 0.14 refuses without
    replica assignments (libs/kit/src/tessera_kit/kafka.py); the suite's own topics already exist.
    """
    topic = dead_letter_topic(consumer_group)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(name=topic.name, num_partitions=topic.partitions, replication_factor=1)]
        )
    finally:
        await admin.close()
