"""The dead-letter topic: where a record that cannot be applied goes, so its partition moves on."""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from tessera_events import dead_letter as dlt
from tessera_events import dead_letter_topic
from tessera_kit.metrics import Metrics

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ConsumedRecord:
    """A record as the consumer received it, kept whole so a dead letter can carry the original."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


class DeadLetters:
    """Copies failed records to the consumer group's dead-letter topic, durably (acks=all)."""

    def __init__(self, producer: AIOKafkaProducer, consumer_group: str, metrics: Metrics) -> None:
        self._producer = producer
        self._group = consumer_group
        self._topic = dead_letter_topic(consumer_group).name
        self._metrics = metrics

    async def send(self, record: ConsumedRecord, error: BaseException, reason: str) -> None:
        """Publish the record with the error in dlt-* headers and wait until Kafka has it."""
        explanation = {
            dlt.ERROR: str(error)[:4000],
            dlt.ERROR_TYPE: type(error).__name__,
            dlt.REASON: reason,
            dlt.ORIGINAL_TOPIC: record.topic,
            dlt.ORIGINAL_PARTITION: str(record.partition),
            dlt.ORIGINAL_OFFSET: str(record.offset),
            dlt.CONSUMER_GROUP: self._group,
            dlt.FAILED_AT: datetime.now(UTC).isoformat(),
        }
        headers = [*record.headers, *((name, value.encode()) for name, value in explanation.items())]
        backoff = 0.2
        while True:
            try:
                await self._producer.send_and_wait(
                    self._topic, value=record.value, key=record.key, headers=headers
                )
                break
            except KafkaError as error:
                # Moving on without the dead letter would lose the record: wait for Kafka instead.
                log.warning("dead letter not accepted; retrying", error=repr(error), retry_in_seconds=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
        self._metrics.dead_letters.labels(topic=record.topic, reason=reason).inc()
