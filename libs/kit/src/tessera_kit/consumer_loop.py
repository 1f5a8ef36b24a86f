"""The consumer group member of a service process: reads batches, applies partitions concurrently,
commits offsets once per batch.

One member per process for all of the service's topics (one group join at start-up). Each round
takes whatever has arrived (``getmany``, which returns as soon as any record is there and never
sleeps after an empty poll), up to ``max_records``; each partition's share goes to the runtime in
offset order, partitions concurrently (at most ``concurrency`` at once: each is one database
transaction). The offsets are committed in one request after every share is settled; a share that
could not be settled (its dead letter could not even be written) is not committed and its partition
is rewound to its first record, so no offset ever passes a record that was neither applied nor
dead-lettered. Order within a partition is kept, so order per key is kept.

On a rebalance the revoked partitions wait for the batch in progress to settle and commit before the
group moves on; a commit refused because the group already moved on is harmless, since the next
owner re-reads those records and the inbox absorbs them.

Why not FastStream's subscriber: its batch subscriber sleeps ``batch_timeout_ms`` after every
empty poll (latency at low load) and acknowledges a batch as a whole, with no per-partition rewind.
This loop is the one place the kit talks to aiokafka's consumer directly.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from aiokafka.structs import ConsumerRecord

from tessera_events import Topic
from tessera_kit.consumers import ConsumerRuntime
from tessera_kit.dead_letters import ConsumedRecord
from tessera_kit.kafka import aiokafka_security_options
from tessera_kit.metrics import Metrics
from tessera_kit.outages import back_off
from tessera_kit.settings import KafkaSecurity

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ConsumerSettings:
    """How the member reads and how quickly the group notices it is gone."""

    max_records: int = 500
    concurrency: int = 4
    session_timeout_ms: int = 10_000
    heartbeat_interval_ms: int = 3_000
    # Static membership: a stable name per replica lets a restart within the session timeout keep
    # its partitions without a rebalance. Empty: dynamic membership.
    instance_id: str = ""
    poll_timeout_ms: int = 1_000


class ConsumerLoop:
    """Runs one consumer group member for a service's topics."""

    def __init__(
        self,
        runtime: ConsumerRuntime[Any],
        topics: Sequence[Topic],
        *,
        bootstrap_servers: str,
        client_id: str,
        metrics: Metrics,
        settings: ConsumerSettings | None = None,
        security: KafkaSecurity | None = None,
    ) -> None:
        self._runtime = runtime
        self._topics = [topic.name for topic in topics]
        self._metrics = metrics
        self._settings = settings or ConsumerSettings()
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            client_id=client_id,
            group_id=runtime.group,
            group_instance_id=self._settings.instance_id or None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=self._settings.session_timeout_ms,
            heartbeat_interval_ms=self._settings.heartbeat_interval_ms,
            **aiokafka_security_options(security),
        )
        self._settling = asyncio.Lock()
        self._partitions = asyncio.Semaphore(self._settings.concurrency)
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> None:
        """Join the group and start consuming."""
        if not self._topics:
            return
        await self._consumer.start()
        self._consumer.subscribe(self._topics, listener=_SettleBeforeRevoking(self._settling))
        self._task = asyncio.create_task(self._run(), name=f"consumer {self._runtime.group}")

    async def stop(self, *, grace_seconds: float = 10.0) -> None:
        """Let the batch in progress settle (up to ``grace_seconds``), then leave the group."""
        if self._stopping:
            return
        self._stopping = True
        if self._task is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(grace_seconds):
                    async with self._settling:
                        pass
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._runtime.close()
        if self._topics:
            await self._consumer.stop()

    async def _run(self) -> None:
        failures = 0
        while not self._stopping:
            batch: dict[TopicPartition, list[ConsumerRecord[Any, Any]]] = {}
            try:
                batch = await self._consumer.getmany(
                    timeout_ms=self._settings.poll_timeout_ms, max_records=self._settings.max_records
                )
                if batch:
                    async with self._settling:
                        await self._settle(batch)
                failures = 0
            except Exception as error:
                # No offset was committed past what settled: read this round's records again.
                for partition, records in batch.items():
                    self._rewind(partition, records[0].offset)
                failures += 1
                await self._wait_for_kafka(error, failures)

    async def _settle(self, batch: dict[TopicPartition, list[ConsumerRecord[Any, Any]]]) -> None:
        shares = list(batch.items())
        results = await asyncio.gather(
            *(self._apply_share(records) for _, records in shares), return_exceptions=True
        )
        offsets: dict[TopicPartition, int] = {}
        for (partition, records), result in zip(shares, results, strict=True):
            if isinstance(result, BaseException):
                log.error(
                    "records not settled; the partition is rewound to read them again",
                    topic=partition.topic,
                    partition=partition.partition,
                    offset=records[0].offset,
                    error=repr(result)[:500],
                )
                self._rewind(partition, records[0].offset)
            else:
                offsets[partition] = records[-1].offset + 1
        if offsets:
            await self._commit(offsets)
            self._observe_lag(offsets)

    async def _apply_share(self, records: list[ConsumerRecord[Any, Any]]) -> None:
        async with self._partitions:
            await self._runtime.apply_partition([_consumed(record) for record in records])

    def _rewind(self, partition: TopicPartition, offset: int) -> None:
        with contextlib.suppress(IllegalStateError):  # no longer ours: its next owner reads it
            self._consumer.seek(partition, offset)

    async def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        failures = 0
        while True:
            try:
                await self._consumer.commit(offsets)
                return
            except (CommitFailedError, IllegalStateError) as error:
                # The group moved on: the next owner re-reads these records; the inbox absorbs them.
                log.info("offsets not committed after a rebalance", error=repr(error)[:300])
                return
            except KafkaError as error:
                failures += 1
                if failures > 5:
                    log.warning("offsets not committed; the records will be read again", error=repr(error))
                    return
                await self._wait_for_kafka(error, failures)

    async def _wait_for_kafka(self, error: BaseException, failures: int) -> None:
        await back_off(error, failures, what="consumer round", remind_every=10, group=self._runtime.group)

    def _observe_lag(self, offsets: dict[TopicPartition, int]) -> None:
        for partition, next_offset in offsets.items():
            highwater = self._consumer.highwater(partition)
            if highwater is not None:
                self._metrics.consumer_lag.labels(
                    topic=partition.topic, partition=str(partition.partition)
                ).set(max(highwater - next_offset, 0))


class _SettleBeforeRevoking(ConsumerRebalanceListener):  # type: ignore[misc]
    """Hold a rebalance until the batch in progress has settled and committed its offsets."""

    def __init__(self, settling: asyncio.Lock) -> None:
        self._settling = settling

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        async with self._settling:
            log.info("partitions revoked", partitions=[f"{tp.topic}/{tp.partition}" for tp in revoked])

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        log.info("partitions assigned", partitions=[f"{tp.topic}/{tp.partition}" for tp in assigned])


def _consumed(record: ConsumerRecord[Any, Any]) -> ConsumedRecord:
    return ConsumedRecord(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value,
        headers=tuple(record.headers or ()),
    )
