"""The unit of work: one transaction per use case, and the events it causes in the same commit."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Self
from uuid import UUID, uuid4

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tessera_events import CloudEvent, EventData
from tessera_kit.clock import Clock, SystemClock
from tessera_kit.db import Database
from tessera_kit.outbox import OUTBOX_CHANNEL, write_outbox
from tessera_kit.telemetry import current_trace_headers


@dataclass(frozen=True)
class InboxClaim:
    """One consumed event a consumer is about to apply, as the inbox records it."""

    event_id: UUID
    event_type: str
    topic: str
    partition: int
    offset: int


class UnitOfWork:
    """A database transaction that also records outgoing events in the outbox.

    Use as ``async with uow: ...; await uow.commit()``. Leaving the block without committing rolls
    back, and then no event is published. Services subclass it to expose their repositories.
    """

    def __init__(self, database: Database, *, source: str, clock: Clock | None = None) -> None:
        self._database = database
        self.source = source
        self.clock: Clock = clock or SystemClock()
        self._session: AsyncSession | None = None
        self._events: list[CloudEvent[EventData]] = []
        # The trace each event was emitted in: a consumer applies a batch of records, each in its own
        # span, and commits once; each outbox row must continue its own record's trace.
        self._traces: dict[UUID, dict[str, str]] = {}

    @property
    def session(self) -> AsyncSession:
        """The open session; only inside ``async with``."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use 'async with uow'")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._database.session()
        self._events = []
        self._traces = {}
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        self._events = []
        self._traces = {}
        try:
            await session.rollback()
        finally:
            await session.close()

    def emit(self, data: EventData, *, occurred_at: datetime | None = None) -> CloudEvent[EventData]:
        """Record an event to publish if, and only if, this transaction commits."""
        event = CloudEvent[EventData](
            id=uuid4(),
            source=self.source,
            type=data.EVENT_TYPE,
            time=occurred_at or self.clock.now(),
            subject=data.aggregate_id(),
            data=data,
        )
        self._events.append(event)
        self._traces[event.id] = current_trace_headers()
        return event

    @property
    def emitted(self) -> tuple[CloudEvent[EventData], ...]:
        """Events recorded so far in this transaction."""
        return tuple(self._events)

    async def claim_events(self, consumer: str, claims: Sequence[InboxClaim]) -> set[UUID]:
        """Record a batch of events ``consumer`` applies, in one statement; returns the ids it had
        not applied before (the others are redeliveries)."""
        if not claims:
            return set()
        result = await self.session.execute(
            text(
                'INSERT INTO tessera_inbox (consumer, event_id, event_type, topic, partition, "offset") '
                "SELECT :consumer, * FROM unnest(CAST(:event_ids AS uuid[]), CAST(:event_types AS text[]), "
                "CAST(:topics AS text[]), CAST(:partitions AS integer[]), CAST(:offsets AS bigint[])) "
                "ON CONFLICT DO NOTHING RETURNING event_id"
            ),
            {
                "consumer": consumer,
                "event_ids": [claim.event_id for claim in claims],
                "event_types": [claim.event_type for claim in claims],
                "topics": [claim.topic for claim in claims],
                "partitions": [claim.partition for claim in claims],
                "offsets": [claim.offset for claim in claims],
            },
        )
        return {row[0] for row in result}

    async def commit(self) -> None:
        """Write the recorded events to the outbox and commit everything at once."""
        if self._events:
            await write_outbox(self.session, self._events, self._traces)
            await self.session.execute(text(f"NOTIFY {OUTBOX_CHANNEL}"))
            self._events = []
            self._traces = {}
        await self.session.commit()
