"""Events fed to the suite as if identity had written them: OrganisationRegistered rows in its outbox.

The rows go through the kit's own ``write_outbox`` in one transaction followed by ``NOTIFY``, exactly
as a use case's commit does, so identity's relay publishes them and every consumer applies them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from tessera_events import CloudEvent, EventData
from tessera_events.identity import OrganisationKind, OrganisationRegistered
from tessera_events.kafka_binding import encode
from tessera_kit.outbox import OUTBOX_CHANNEL, write_outbox

EVENT_TYPE = OrganisationRegistered.EVENT_TYPE
CHUNK = 5000


@dataclass(frozen=True)
class Org:
    """An organisation the benchmark registers through identity's outbox."""

    organisation_id: uuid.UUID
    name: str
    country: str
    locale: str

    @property
    def billing_email(self) -> str:
        """Its billing contact (the SMTP inbox accepts any address)."""
        return f"billing-{self.organisation_id.hex[:12]}@example.com"


def org(index: int, *, partner: bool = False) -> Org:
    """The ``index``-th benchmark organisation: partners Swiss in German, clients French in French."""
    kind = "Partner" if partner else "Client"
    country, locale = ("CH", "de") if partner else ("FR", "fr")
    return Org(uuid.uuid4(), f"Bench {kind} {index} SA", country, locale)


def registered(organisation: Org, at: datetime) -> CloudEvent[EventData]:
    """The OrganisationRegistered event identity would publish for ``organisation``."""
    data = OrganisationRegistered(
        organisation_id=organisation.organisation_id,
        name=organisation.name,
        kind=OrganisationKind("company"),
        country=organisation.country,
        locale=organisation.locale,
        billing_email=organisation.billing_email,
        registered_at=at,
    )
    return CloudEvent[EventData](
        id=uuid.uuid4(),
        source="/tessera/identity",
        type=EVENT_TYPE,
        time=at,
        subject=data.aggregate_id(),
        data=data,
    )


def record_size(event: CloudEvent[EventData]) -> tuple[int, list[tuple[str, bytes]]]:
    """The size in bytes of the event's Kafka value, and its headers (for raw records of the same size)."""
    _, value, headers = encode(event)
    return len(value), list(headers)


async def write_rows(database_url: str, organisations: Sequence[Org]) -> tuple[float, float]:
    """Write one OrganisationRegistered outbox row per organisation in ONE transaction, then NOTIFY.

    Returns (monotonic time of the commit, seconds spent writing).
    """
    engine = create_async_engine(database_url, pool_size=1)
    started = time.monotonic()
    now = datetime.now(UTC)
    try:
        async with engine.connect() as connection:
            async with AsyncSession(bind=connection) as session, session.begin():
                for first in range(0, len(organisations), CHUNK):
                    chunk = organisations[first : first + CHUNK]
                    await write_outbox(session, [registered(one, now) for one in chunk])
                await session.execute(text(f"NOTIFY {OUTBOX_CHANNEL}"))
            committed = time.monotonic()
    finally:
        await engine.dispose()
    return committed, committed - started
