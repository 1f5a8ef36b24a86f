"""The outbox relay: publishes committed outbox rows to Kafka, in order, woken by ``NOTIFY`` on commit.

One relay per database publishes at a time: the relay that holds a session advisory lock on its own
connection (released by PostgreSQL when that connection ends, so a replica takes over when a process
dies). It reads the oldest unpublished rows, hands them all to the idempotent, ``acks=all`` producer,
and while Kafka acknowledges them it marks the batch before published and reads the next; the next
batch is only sent once this one is acknowledged, so a failed batch can never be overtaken and events
of one key leave in commit order. A process that dies between publishing and marking publishes those
rows again on restart: consumers deduplicate by event id.

The ``LISTEN`` connection is a :class:`~tessera_kit.listening.Listener` that reconnects by itself; the
sweep every ``sweep_seconds`` covers a notification lost meanwhile. The backlog gauge is counted on
the sweep, never per batch, and lowered by what is published between sweeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from datetime import timedelta

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.structs import RecordMetadata
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from tessera_kit.db import Database, asyncpg_dsn
from tessera_kit.listening import Listener, close_quietly
from tessera_kit.metrics import Metrics
from tessera_kit.outages import back_off
from tessera_kit.outbox import OUTBOX_CHANNEL, OutboxRow
from tessera_kit.telemetry import kafka_trace_headers, tracer

_PURGE_EVERY_SECONDS = 3600.0
_RELAY_LOCK = 0x7E55E7A0
_SELECT = (
    "SELECT seq, event_id::text, topic, record_key, event_type, payload, headers, traceparent, tracestate "
    "FROM tessera_outbox WHERE published_at IS NULL AND seq > $1 ORDER BY seq LIMIT $2"
)
_MARK = "UPDATE tessera_outbox SET published_at = now() WHERE seq = ANY($1::bigint[])"
_BACKLOG = "SELECT count(*) FROM tessera_outbox WHERE published_at IS NULL"
_PURGE = (
    "DELETE FROM tessera_outbox WHERE seq IN (SELECT seq FROM tessera_outbox "
    "WHERE published_at < now() - make_interval(secs => $1) LIMIT 10000)"
)
log = structlog.get_logger(__name__)


class OutboxRelay:
    """Publishes outbox rows to Kafka, woken by NOTIFY on commit."""

    def __init__(
        self,
        database: Database,
        producer: AIOKafkaProducer,
        metrics: Metrics,
        *,
        batch_size: int = 1000,
        sweep_seconds: float = 5.0,
        retention: timedelta = timedelta(days=7),
    ) -> None:
        self._dsn = asyncpg_dsn(database.url)
        self._producer = producer
        self._metrics = metrics
        self._batch_size = batch_size
        self._sweep_seconds = sweep_seconds
        self._retention = retention
        self._purged_at = 0.0
        self._counted_at = 0.0
        self._connection: asyncpg.Connection | None = None
        self._holds_lock = False
        self._backlog = 0
        self.listener = Listener(database.url, [OUTBOX_CHANNEL], name="outbox relay")
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Listen for commits and start relaying (the backlog left by a dead process goes first)."""
        await self.listener.start()
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        """Stop relaying; rows not yet published stay for the next start."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.listener.stop()
        await self._disconnect()

    async def _run(self) -> None:
        failures = 0
        while True:
            self.listener.clear()
            try:
                await self.relay_pending()
                await self._housekeeping()
            except Exception as error:
                failures += 1
                await self._disconnect()
                await back_off(error, failures, what="outbox relay")
                continue
            if failures:
                log.info("outbox relay recovered", failures=failures)
                failures = 0
            await self.listener.wait(self._sweep_seconds)

    async def relay_pending(self) -> int:
        """Publish every unpublished row, oldest first; returns how many (0 if another replica relays)."""
        connection = await self._locked_connection()
        if connection is None:
            return 0
        published = 0
        marking: list[int] = []
        rows = await _select(connection, 0, self._batch_size)
        while rows:
            deliveries, spans = await self._send(rows)
            if marking:
                await connection.execute(_MARK, marking)
            # Read ahead while Kafka acknowledges; a row committed meanwhile below this batch's last
            # sequence number (a transaction that began earlier) is found by the next round.
            full = len(rows) == self._batch_size
            following = await _select(connection, rows[-1].seq, self._batch_size) if full else []
            await self._confirm(rows, deliveries, spans)
            marking = [row.seq for row in rows]
            published += len(rows)
            rows = following
        if marking:
            await connection.execute(_MARK, marking)
        self._lower_backlog(published)
        return published

    async def purge_published(self) -> int:
        """Delete rows published longer ago than the retention; returns how many went."""
        connection = await self._connected()
        status = await connection.execute(_PURGE, self._retention.total_seconds())
        return int(status.split()[-1])

    async def _housekeeping(self) -> None:
        now = time.monotonic()
        if now - self._counted_at >= self._sweep_seconds:
            connection = await self._connected()
            self._backlog = int(await connection.fetchval(_BACKLOG) or 0)
            self._metrics.outbox_backlog.set(self._backlog)
            self._counted_at = now
        if now - self._purged_at >= _PURGE_EVERY_SECONDS:
            await self.purge_published()
            self._purged_at = now

    def _lower_backlog(self, published: int) -> None:
        if published:
            self._backlog = max(self._backlog - published, 0)
            self._metrics.outbox_backlog.set(self._backlog)

    async def _send(
        self, rows: Sequence[OutboxRow]
    ) -> tuple[list[asyncio.Future[RecordMetadata]], list[trace.Span]]:
        spans: list[trace.Span] = []
        deliveries: list[asyncio.Future[RecordMetadata]] = []
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
            try:
                delivery = await self._producer.send(
                    row.topic, value=row.payload.encode(), key=row.record_key.encode(), headers=headers
                )
            except BaseException:
                _end(spans)
                raise
            deliveries.append(delivery)
        return deliveries, spans

    async def _confirm(
        self,
        rows: Sequence[OutboxRow],
        deliveries: Sequence[asyncio.Future[RecordMetadata]],
        spans: Sequence[trace.Span],
    ) -> None:
        try:
            for row, delivery, span in zip(rows, deliveries, spans, strict=True):
                metadata = await delivery
                span.set_attribute("messaging.destination.partition.id", str(metadata.partition))
                span.set_attribute("messaging.kafka.offset", metadata.offset)
                self._metrics.outbox_published.labels(topic=row.topic).inc()
        finally:
            _end(spans)

    async def _locked_connection(self) -> asyncpg.Connection | None:
        """The relay's connection if it holds the relay lock (taking it if free), else None."""
        connection = await self._connected()
        if not self._holds_lock:
            self._holds_lock = bool(await connection.fetchval("SELECT pg_try_advisory_lock($1)", _RELAY_LOCK))
        return connection if self._holds_lock else None

    async def _connected(self) -> asyncpg.Connection:
        if self._connection is None or self._connection.is_closed():
            self._holds_lock = False  # the lock ended with the connection that held it
            self._connection = await asyncpg.connect(self._dsn)
        return self._connection

    async def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        self._holds_lock = False
        await close_quietly(connection)


async def _select(connection: asyncpg.Connection, after_seq: int, limit: int) -> list[OutboxRow]:
    return [OutboxRow(*record) for record in await connection.fetch(_SELECT, after_seq, limit)]


def _end(spans: Sequence[trace.Span]) -> None:
    for span in spans:
        if span.is_recording():
            span.end()
