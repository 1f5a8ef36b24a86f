"""The story's floor with nothing but aiokafka and asyncpg, open loop at the same rates.

commit + NOTIFY (the driver's transaction) -> a LISTEN relay publishes (acks=all, idempotent) ->
hop 1 consumes, commits the ids, publishes -> hop 2 consumes and commits: done. Offsets are committed
once per batch after the transaction. Everything runs in this process, on the suite's broker and
PostgreSQL server (tables of its own in identity's database).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord

from tessera_devtools.bench import raw
from tessera_devtools.bench.openloop import run_open_loop, schedule, summarise
from tessera_devtools.bench.suite import Suite, say, wait_quiet
from tessera_devtools.bench.waiting import InFlight

CHANNEL = "bench_hop"
PAYLOAD = b"x" * 500
DRAIN_SECONDS = 30.0
QUIET_TIMEOUT = 120.0
TABLES = (
    "CREATE TABLE IF NOT EXISTS bench_hop_outbox (seq bigserial PRIMARY KEY, id uuid NOT NULL, "
    "payload bytea NOT NULL, published boolean NOT NULL DEFAULT false)",
    "CREATE INDEX IF NOT EXISTS bench_hop_unpublished ON bench_hop_outbox (seq) WHERE NOT published",
    "CREATE TABLE IF NOT EXISTS bench_hop_inbox (hop int NOT NULL, id uuid NOT NULL, PRIMARY KEY (hop, id))",
)


class Floor:
    """The relay and the two hops, running until :meth:`stop`."""

    def __init__(self, bootstrap: str, dsn: str, flight: InFlight) -> None:
        self.bootstrap, self.dsn, self.flight = bootstrap, dsn, flight
        first, second = raw.raw_topic("hop1", 3), raw.raw_topic("hop2", 3)
        self.topics = (first, second)
        self.producer = raw.producer(bootstrap, linger_ms=0)
        self.wake = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []
        self.pool: asyncpg.Pool | None = None
        self.closers: list[Callable[[], Awaitable[Any]]] = []

    async def start(self) -> None:
        """Create the topics and tables, join both groups, listen; return once all are ready."""
        await asyncio.to_thread(raw.make_topics, self.bootstrap, *self.topics)
        self.pool = await asyncpg.create_pool(self.dsn, min_size=4, max_size=16)
        self.closers.append(self.pool.close)
        async with self.pool.acquire() as connection:
            for statement in TABLES:
                await connection.execute(statement)
        await self.producer.start()
        self.closers.append(self.producer.stop)
        listener = await asyncpg.connect(self.dsn)
        await listener.add_listener(CHANNEL, lambda *_: self.wake.set())
        self.closers.append(listener.close)
        hop1 = await self._consumer(self.topics[0].name, "bench-hop1")
        hop2 = await self._consumer(self.topics[1].name, "bench-hop2")
        self.tasks = [
            asyncio.create_task(self._relay()),
            asyncio.create_task(self._hop(hop1, 1, self._forward)),
            asyncio.create_task(self._hop(hop2, 2, self._finish)),
        ]

    async def _consumer(self, topic: str, group: str) -> AIOKafkaConsumer:
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=self.bootstrap,
            group_id=f"{group}-{uuid.uuid4().hex[:8]}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        self.closers.append(consumer.stop)
        async with asyncio.timeout(30):
            while not consumer.assignment():
                await consumer.getmany(timeout_ms=50)
        return consumer

    async def stop(self) -> None:
        """Stop the relay and the hops; close every client."""
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for close in reversed(self.closers):
            with contextlib.suppress(Exception):
                await close()

    async def commit(self, key: uuid.UUID) -> None:
        """The driver's write: one outbox row and NOTIFY, in one transaction."""
        assert self.pool is not None
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.execute(
                "INSERT INTO bench_hop_outbox (id, payload) VALUES ($1, $2)", key, PAYLOAD
            )
            await connection.execute(f"NOTIFY {CHANNEL}")

    async def _relay(self) -> None:
        assert self.pool is not None
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1.0):
                    await self.wake.wait()
            self.wake.clear()
            async with self.pool.acquire() as connection:
                while await self._relay_batch(connection):
                    pass

    async def _relay_batch(self, connection: asyncpg.Connection) -> int:
        async with connection.transaction():
            rows = await connection.fetch(
                "SELECT seq, id, payload FROM bench_hop_outbox WHERE NOT published ORDER BY seq LIMIT 500 "
                "FOR UPDATE SKIP LOCKED"
            )
            sent = [
                await self.producer.send(self.topics[0].name, value=row["payload"], key=row["id"].bytes)
                for row in rows
            ]
            await asyncio.gather(*sent)
            await connection.execute(
                "UPDATE bench_hop_outbox SET published = true WHERE seq = ANY($1)",
                [row["seq"] for row in rows],
            )
        return len(rows)

    async def _hop(
        self,
        consumer: AIOKafkaConsumer,
        hop: int,
        after: Callable[[list[ConsumerRecord[bytes, bytes]]], Awaitable[None]],
    ) -> None:
        assert self.pool is not None
        while True:
            batches = await consumer.getmany(timeout_ms=100, max_records=500)
            records = [record for batch in batches.values() for record in batch]
            if not records:
                continue
            async with self.pool.acquire() as connection, connection.transaction():
                await connection.executemany(
                    "INSERT INTO bench_hop_inbox (hop, id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    [(hop, uuid.UUID(bytes=record.key)) for record in records],
                )
            await after(records)
            await consumer.commit()

    async def _forward(self, records: list[ConsumerRecord[bytes, bytes]]) -> None:
        sent = [
            await self.producer.send(self.topics[1].name, value=record.value, key=record.key)
            for record in records
        ]
        await asyncio.gather(*sent)

    async def _finish(self, records: list[ConsumerRecord[bytes, bytes]]) -> None:
        now = time.monotonic()
        for record in records:
            self.flight.complete(str(uuid.UUID(bytes=record.key)), now)


async def _one_rate(suite: Suite, rate: float, seconds: float) -> dict[str, Any]:
    flight = InFlight()
    floor = Floor(suite.bootstrap, suite.dsn("identity"), flight)
    await floor.start()
    deadline = time.monotonic() + seconds + DRAIN_SECONDS

    async def send(_index: int, scheduled: float) -> None:
        key = uuid.uuid4()
        flight.expect(str(key), scheduled, 1)
        try:
            await floor.commit(key)
        except Exception:
            flight.fail(str(key))
            return
        await flight.wait(str(key), deadline)

    try:
        await run_open_loop(schedule(rate, seconds), send)
    finally:
        await floor.stop()
    summary = summarise(flight.latencies_ms, flight.incomplete)
    say(f"  raw     {rate:>5.0f}/s: {summary.line()}")
    return {**summary.as_dict(), "failed": flight.failed, "latencies_ms": flight.latencies_ms}


async def run(suite: Suite, rates: list[float], seconds: float) -> dict[str, Any]:
    """The raw two-hop floor at each rate."""
    say(
        "\nraw two-hop floor, open loop (commit + NOTIFY -> LISTEN relay -> publish -> consume, commit, "
        "publish -> consume, commit; plain aiokafka + asyncpg):"
    )
    figures: dict[str, Any] = {}
    for rate in rates:
        await wait_quiet(suite.bootstrap, QUIET_TIMEOUT)  # the services' backlog would take the CPU
        figures[f"{rate:g}"] = await _one_rate(suite, rate, seconds)
    return figures
