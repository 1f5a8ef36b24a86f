"""What notify's integration tests share beyond tessera_devtools.testing: an SMTP server that collects
what it receives, notify running in-process with a look into its database, and the other services'
events to publish to it."""

import asyncio
import email
import email.policy
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition

import tessera_notify.main
from tessera_devtools.testing import KafkaProbe, RunningService, TokenIssuer, envelope, eventually
from tessera_events import Currency, Money
from tessera_events.billing import PayerReassigned, ReassignedSubscription
from tessera_events.identity import (
    Locale,
    MembershipGranted,
    OrganisationKind,
    OrganisationRegistered,
    Role,
    UserRegistered,
)
from tessera_events.partnership import BillingMode
from tessera_kit.db import asyncpg_dsn
from tessera_notify.config import NotifySettings

MIGRATIONS = Path(tessera_notify.main.__file__).parent / "migrations"
IDENTITY = "/tessera/identity"
BILLING = "/tessera/billing"
PARTNERSHIP = "/tessera/partnership"
WALLET = "/tessera/wallet"


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
    """notify running in this process, the Kafka it consumes, and a look into its database."""

    service: RunningService[NotifySettings]
    kafka: KafkaProbe

    @property
    def settings(self) -> NotifySettings:
        """The settings notify runs with."""
        return self.service.settings

    @property
    def http(self) -> httpx.AsyncClient:
        """An HTTP client calling the app in-process."""
        return self.service.http

    async def count(self, query: str, *arguments: object) -> int:
        """How many rows a query on notify's database returns."""
        return len(await self.fetch(query, *arguments))

    async def fetch(self, query: str, *arguments: object) -> list[asyncpg.Record]:
        """Rows of a query on notify's database."""
        connection = await asyncpg.connect(asyncpg_dsn(self.settings.database_url))
        try:
            rows: list[asyncpg.Record] = await connection.fetch(query, *arguments)
            return rows
        finally:
            await connection.close()

    async def trust_new_signing_key(self) -> TokenIssuer:
        """Publish identity's SigningKeyPublished for a new key; wait until notify trusts it."""
        issuer = TokenIssuer(self.settings.database_url)
        await self.kafka.publish(envelope(issuer.signing_key_published(), source=IDENTITY))
        await eventually(
            lambda: self.fetch("SELECT 1 FROM tessera_trusted_keys WHERE key_id = $1", issuer.key_id),
            what="notify to trust the signing key",
        )
        # The token verifier looks for keys it does not know at most once a second.
        await asyncio.sleep(1.1)
        return issuer

    async def register_user(self, name: str, locale: Locale, user_id: UUID | None = None) -> UserRegistered:
        """Publish identity's UserRegistered and wait until notify knows the person."""
        user_id = user_id or uuid4()
        data = UserRegistered(
            user_id=user_id,
            email=f"{name.lower().replace(' ', '.')}-{user_id.hex[:8]}@example.org",
            display_name=name,
            locale=locale,
        )
        await self.kafka.publish(envelope(data, source=IDENTITY))
        await eventually(
            lambda: self.fetch("SELECT 1 FROM users WHERE id = $1", user_id),
            what=f"notify to learn of {name}",
        )
        return data

    async def grant(
        self,
        organisation: OrganisationRegistered,
        user: UserRegistered,
        role: Role,
        previous: Role | None = None,
    ) -> None:
        """Publish identity's MembershipGranted and wait until notify knows the member's role."""
        data = MembershipGranted(
            organisation_id=organisation.organisation_id,
            user_id=user.user_id,
            role=role,
            previous_role=previous,
        )
        await self.kafka.publish(envelope(data, source=IDENTITY))
        await eventually(
            lambda: self.fetch(
                "SELECT 1 FROM memberships WHERE organisation_id = $1 AND user_id = $2 AND role = $3",
                organisation.organisation_id,
                user.user_id,
                role.value,
            ),
            what=f"notify to learn that {user.display_name} is {role.value}",
        )

    async def deliveries_of(self, cause_id: object, *, settled: int) -> list[asyncpg.Record]:
        """The deliveries an event caused, once ``settled`` of them are no longer pending."""
        return await eventually(
            lambda: self.fetch(
                "SELECT notification, recipient, locale, status, subject, category, recipient_user_id, "
                "organisation_id FROM deliveries WHERE cause_event_id = $1 ORDER BY recipient",
                cause_id,
            ),
            what=f"{settled} settled deliveries of {cause_id}",
            until=lambda rows: sum(row["status"] != "pending" for row in rows) >= settled,
        )

    async def fetch_until(self, query: str, *arguments: object) -> list[asyncpg.Record]:
        """The rows of a query, once there are some."""
        return await eventually(lambda: self.fetch(query, *arguments), what=query)

    async def register_organisation(
        self, name: str, locale: Locale, country: str, organisation_id: UUID | None = None
    ) -> OrganisationRegistered:
        """Publish identity's OrganisationRegistered and wait until notify knows the organisation."""
        organisation_id = organisation_id or uuid4()
        data = OrganisationRegistered(
            organisation_id=organisation_id,
            name=name,
            kind=OrganisationKind.COMPANY,
            country=country,
            locale=locale,
            billing_email=f"billing-{organisation_id.hex[:12]}@example.org",
            registered_at=datetime.now(UTC),
        )
        await self.kafka.publish(envelope(data, source=IDENTITY))
        await eventually(
            lambda: self.fetch("SELECT 1 FROM organisations WHERE id = $1", organisation_id),
            what=f"notify to learn of {name}",
        )
        return data


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
        changed_by_user_id=uuid4(),
        subscriptions=(
            ReassignedSubscription(
                subscription_id=uuid4(),
                product_code="web-hosting-pro",
                product_name="Web Hosting Pro",
                price=Money(amount_minor=11900, currency=Currency.CHF),
                next_renewal_on=date(2026, 4, 1),
            ),
        ),
    )


async def start_at_the_end(bootstrap: str, group: str, topics: list[str]) -> None:
    """Commit, for a consumer group that has not started yet, the current end of every partition of
    ``topics``: the shared Kafka holds what earlier tests and runs published, which a new group would
    otherwise read first (minutes of other people's events on a busy machine)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        metadata = await consumer._client.fetch_all_metadata()
        partitions = [
            TopicPartition(topic, partition)
            for topic in topics
            for partition in metadata.partitions_for_topic(topic) or set()
        ]
        if not partitions:
            return
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        written = {partition: end for partition, end in ends.items() if end > 0}
        if written:  # on a fresh broker there is nothing to skip
            await consumer.commit(written)
    finally:
        await consumer.stop()
