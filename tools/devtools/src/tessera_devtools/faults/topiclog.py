"""Every record of the suite's topics, read from the earliest offset as it arrives (no consumer group)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition

from tessera_events.kafka_binding import event_id, event_type, header

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Seen:
    """One record as read from its topic; ``group`` is a dead letter's consumer group."""

    topic: str
    partition: int
    offset: int
    key: str | None
    event_id: str | None
    event_type: str | None
    group: str | None
    seen_at: float


class TopicLog:
    """Reads ``topics`` (name -> partitions) in a background task; :attr:`by_id` maps event ids to
    where they were seen."""

    def __init__(self, bootstrap: str, topics: dict[str, int]) -> None:
        self.bootstrap = bootstrap
        self.topics = topics
        self.records: list[Seen] = []
        self.by_id: dict[str, list[Seen]] = defaultdict(list)
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Assign every partition of the topics at their beginning and start reading."""
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap.split(","),
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            metadata_max_age_ms=5000,
        )
        await consumer.start()
        partitions = [TopicPartition(name, n) for name, count in self.topics.items() for n in range(count)]
        try:
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
        except BaseException:
            await consumer.stop()
            raise
        self._consumer = consumer
        self._task = asyncio.create_task(self._run(consumer))

    async def _run(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            try:
                batches = await consumer.getmany(timeout_ms=500, max_records=2000)
            except Exception as error:
                log.warning("topic log: %s", error)
                await asyncio.sleep(1.0)
                continue
            now = time.time()
            for records in batches.values():
                for record in records:
                    self._add(record, now)

    def _add(self, record: Any, now: float) -> None:
        headers = list(record.headers or ())
        seen = Seen(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key.decode(errors="replace") if record.key is not None else None,
            event_id=event_id(headers),
            event_type=event_type(headers),
            group=header(headers, "dlt-consumer-group"),
            seen_at=now,
        )
        self.records.append(seen)
        if seen.event_id is not None and seen.group is None:
            self.by_id[seen.event_id].append(seen)

    def dead_letters(self, since: float) -> list[Seen]:
        """Dead letters read since ``since`` (epoch seconds)."""
        return [seen for seen in self.records if seen.group is not None and seen.seen_at >= since]

    async def stop(self) -> None:
        """Stop reading."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()
