"""The transactional outbox and its relay to Kafka.

A use case writes its events as outbox rows in its own transaction and sends ``NOTIFY`` on commit.
The relay LISTENs, wakes on that notification (a slow sweep covers a missed one), publishes the
rows in order with an idempotent, acks=all producer, and marks them published. A process that dies
between commit and publish leaves the rows unpublished; the next relay to run publishes them.
"""

import asyncio
import contextlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tessera_events import CloudEvent, EventData, topic_for
from tessera_events.kafka_binding import encode
from tessera_kit.db import Database, asyncpg_dsn
from tessera_kit.metrics import Metrics
from tessera_kit.telemetry import context_from_headers, current_trace_headers, kafka_trace_headers, tracer

OUTBOX_CHANNEL = "tessera_outbox"
_PURGE_EVERY_SECONDS = 3600.0
# One relay per database publishes at a time, so events of one key leave in commit order.
_RELAY_LOCK = 0x7E55E7A0
log = structlog.get_logger(__name__)


async def write_outbox(session: AsyncSession, events: Sequence[CloudEvent[EventData]]) -> None:
    """Insert the events as outbox rows, with the trace context of the transaction writing them."""
    trace_headers = current_trace_headers()
    await session.execute(
        text(
            "INSERT INTO tessera_outbox (event_id, topic, record_key, event_type, payload, headers, "
            "traceparent, tracestate) VALUES (:event_id, :topic, :record_key, :event_type, :payload, "
            ":headers, :traceparent, :tracestate)"
        ),
        [_outbox_row(event, trace_headers) for event in events],
    )


def _outbox_row(event: CloudEvent[EventData], trace_headers: dict[str, str]) -> dict[str, object]:
    key, value, headers = encode(event)
    return {
        "event_id": event.id,
        "topic": topic_for(event.type).name,
        "record_key": key.decode(),
        "event_type": event.type,
        "payload": value.decode(),
        "headers": json.dumps([[name, raw.decode()] for name, raw in headers]),
        "traceparent": trace_headers.get("traceparent"),
        "tracestate": trace_headers.get("tracestate"),
    }


@dataclass(frozen=True)
class OutboxRow:
    """One event waiting to be published."""

    seq: int
    event_id: str
    topic: str
    record_key: str
    event_type: str
    payload: str
    headers: str
    traceparent: str | None
    tracestate: str | None

    def record_headers(self) -> list[tuple[str, bytes]]:
        """The CloudEvents binding headers stored with the row."""
        return [(name, value.encode()) for name, value in json.loads(self.headers)]

    def trace_context(self) -> Context:
        """The trace context of the transaction that wrote the row."""
        stored = (("traceparent", self.traceparent), ("tracestate", self.tracestate))
        return context_from_headers([(name, value) for name, value in stored if value])


class OutboxRelay:
    """Publishes outbox rows to Kafka, woken by NOTIFY on commit."""

    def __init__(
        self,
        database: Database,
        producer: AIOKafkaProducer,
        metrics: Metrics,
        *,
        batch_size: int = 200,
        sweep_seconds: float = 5.0,
        retention: timedelta = timedelta(days=7),
    ) -> None:
        self._database = database
        self._producer = producer
        self._metrics = metrics
        self._batch_size = batch_size
        self._sweep_seconds = sweep_seconds
        self._retention = retention
        self._purged_at = 0.0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: asyncpg.Connection | None = None

    async def start(self) -> None:
        """Listen for commits and start relaying (the backlog left by a dead process goes first)."""
        self._listener = await asyncpg.connect(asyncpg_dsn(self._database.url))
        await self._listener.add_listener(OUTBOX_CHANNEL, self._on_notify)
        self._wake.set()
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        """Stop relaying; rows not yet published stay for the next start."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._listener:
            await self._listener.close()

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _run(self) -> None:
        backoff = 0.2
        while True:
            swept = False
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self._sweep_seconds)
            except TimeoutError:
                swept = True
            self._wake.clear()
            try:
                while await self.relay_batch() == self._batch_size:
                    pass
                if swept and time.monotonic() - self._purged_at > _PURGE_EVERY_SECONDS:
                    await self.purge_published()
                    self._purged_at = time.monotonic()
                backoff = 0.2
            except Exception:
                log.exception("outbox relay failed; retrying", retry_in_seconds=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
                self._wake.set()

    async def purge_published(self) -> int:
        """Delete rows published longer ago than the retention; returns how many went."""
        async with self._database.session() as session, session.begin():
            result = await session.execute(
                text(
                    "DELETE FROM tessera_outbox WHERE seq IN (SELECT seq FROM tessera_outbox "
                    "WHERE published_at < now() - make_interval(secs => :seconds) LIMIT 10000)"
                ),
                {"seconds": self._retention.total_seconds()},
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def relay_batch(self) -> int:
        """Publish the oldest unpublished rows and mark them; returns how many were published."""
        async with self._database.session() as session, session.begin():
            locked = await session.scalar(
                text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _RELAY_LOCK}
            )
            if not locked:
                return 0
            rows = [
                OutboxRow(**row._asdict())
                for row in await session.execute(
                    text(
                        "SELECT seq, event_id::text, topic, record_key, event_type, payload, headers, "
                        "traceparent, tracestate FROM tessera_outbox WHERE published_at IS NULL "
                        "ORDER BY seq LIMIT :limit"
                    ),
                    {"limit": self._batch_size},
                )
            ]
            if rows:
                await self._publish(rows)
                await session.execute(
                    text("UPDATE tessera_outbox SET published_at = now() WHERE seq = ANY(:seqs)"),
                    {"seqs": [row.seq for row in rows]},
                )
            backlog = await session.scalar(
                text("SELECT count(*) FROM tessera_outbox WHERE published_at IS NULL")
            )
        # Counted after this batch was marked published, in the same transaction.
        self._metrics.outbox_backlog.set(int(backlog or 0))
        return len(rows)

    async def _publish(self, rows: Sequence[OutboxRow]) -> None:
        spans: list[trace.Span] = []
        deliveries = []
        for row in rows:
            span = tracer().start_span(
                f"{row.topic} publish",
                context=row.trace_context(),
                kind=SpanKind.PRODUCER,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.operation.type": "send",
                    "messaging.destination.name": row.topic,
                    "messaging.message.id": row.event_id,
                    "cloudevents.event_type": row.event_type,
                },
            )
            spans.append(span)
            with trace.use_span(span):
                headers = row.record_headers() + list(kafka_trace_headers())
            deliveries.append(
                await self._producer.send(
                    row.topic, value=row.payload.encode(), key=row.record_key.encode(), headers=headers
                )
            )
        try:
            for row, delivery, span in zip(rows, deliveries, spans, strict=True):
                metadata = await delivery
                span.set_attribute("messaging.destination.partition.id", str(metadata.partition))
                span.set_attribute("messaging.kafka.offset", metadata.offset)
                self._metrics.outbox_published.labels(topic=row.topic).inc()
        finally:
            for span in spans:
                span.end()
