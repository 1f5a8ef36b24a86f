"""The raw limits: what plain aiokafka and asyncpg do on the same broker and database, no Tessera code.

* :func:`raw_produce`: an aiokafka producer (acks=all, idempotent) sending records of a given size;
* :func:`raw_consume`: a consumer group reading what was produced, recording each record's id in a
  PostgreSQL table, either one transaction and one offset commit per ``getmany`` batch, or one per
  record (``serial``).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from tessera_devtools.kafka import create_topics
from tessera_events.topics import Topic

INBOX_TABLE = "bench_raw_inbox"
MAX_BATCH = 1000


@dataclass(frozen=True)
class RawFigure:
    """How many records a raw loop handled in how many seconds."""

    records: int
    seconds: float

    @property
    def per_second(self) -> float:
        """Records per second."""
        return self.records / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, float]:
        """A JSON-ready dict."""
        return {"records": self.records, "seconds": self.seconds, "per_second": self.per_second}


def raw_topic(purpose: str, partitions: int) -> Topic:
    """A fresh topic of the benchmark's own, with ``partitions`` partitions."""
    name = f"bench.raw.{purpose}.{uuid.uuid4().hex[:8]}"
    return Topic(name=name, owner="bench", key="record id", description="benchmark", partitions=partitions)


def make_topics(bootstrap: str, *topics: Topic) -> None:
    """Create the topics (blocking; call before the event loop starts or in a thread)."""
    create_topics(bootstrap, list(topics))


def producer(bootstrap: str, linger_ms: int = 5) -> AIOKafkaProducer:
    """A producer configured like the outbox relay's: acks=all, idempotent (``linger_ms`` 0 for latency)."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=linger_ms,
        max_batch_size=262144,
    )


async def raw_produce(
    bootstrap: str, topic: str, count: int, size: int, headers: list[tuple[str, bytes]]
) -> RawFigure:
    """Send ``count`` records of ``size`` bytes (keys: fresh UUIDs, which are also the record ids)."""
    padding = b"x" * max(0, size - 36)
    sender = producer(bootstrap)
    await sender.start()
    try:
        started = time.monotonic()
        pending = []
        for _ in range(count):
            key = str(uuid.uuid4()).encode()
            pending.append(await sender.send(topic, value=key + padding, key=key, headers=headers))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
        return RawFigure(count, time.monotonic() - started)
    finally:
        await sender.stop()


async def prepare_inbox(dsn: str) -> None:
    """Create the raw loops' inbox table (``consumer``, ``event_id``), like the kit's."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(
            f"CREATE TABLE IF NOT EXISTS {INBOX_TABLE} (consumer text NOT NULL, event_id uuid NOT NULL, "
            'topic text NOT NULL, partition int NOT NULL, "offset" bigint NOT NULL, '
            "applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (consumer, event_id))"
        )
    finally:
        await connection.close()


async def raw_consume(
    bootstrap: str, topic: str, dsn: str, *, count: int, serial: bool, timeout: float
) -> RawFigure:
    """Read ``count`` records of ``topic`` from the start in a group of its own; record and commit each
    batch (or each record, ``serial``) in one transaction then one offset commit. Bounded by ``timeout``."""
    group = f"bench-raw-{'serial' if serial else 'batched'}-{uuid.uuid4().hex[:8]}"
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=MAX_BATCH,
        fetch_max_bytes=16 * 1024 * 1024,
    )
    connection = await asyncpg.connect(dsn)
    await consumer.start()
    try:
        return await _consume(consumer, connection, group, count=count, serial=serial, timeout=timeout)
    finally:
        await consumer.stop()
        await connection.close()


async def _consume(
    consumer: AIOKafkaConsumer,
    connection: asyncpg.Connection,
    group: str,
    *,
    count: int,
    serial: bool,
    timeout: float,
) -> RawFigure:
    done = 0
    started: float | None = None
    deadline = time.monotonic() + timeout
    insert = f'INSERT INTO {INBOX_TABLE} (consumer, event_id, topic, partition, "offset") ' + (
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"
    )
    while done < count and time.monotonic() < deadline:
        batches = await consumer.getmany(timeout_ms=100, max_records=1 if serial else MAX_BATCH)
        records = [record for batch in batches.values() for record in batch][: count - done]
        if not records:
            continue
        if started is None:
            started = time.monotonic()
        rows = [
            (group, uuid.UUID(record.key.decode()), record.topic, record.partition, record.offset)
            for record in records
        ]
        async with connection.transaction():
            await connection.executemany(insert, rows)
        await consumer.commit()
        done += len(records)
    return RawFigure(done, time.monotonic() - (started or time.monotonic()))
