"""Operating a dead-letter topic: list what is in it, and replay records once their cause is fixed.

Replaying produces a dead letter's original key, value and headers (without the ``dlt-*`` ones) back
to the topic it came from. The consumer's inbox makes a replay of an already applied event harmless,
so replaying twice, or replaying a record another replica already retried, changes nothing.
"""

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import uuid4

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

from tessera_events import dead_letter as dlt
from tessera_events import dead_letter_topic
from tessera_events.kafka_binding import event_type, header
from tessera_kit.kafka import aiokafka_security_options, create_producer
from tessera_kit.settings import KafkaSecurity


@dataclass(frozen=True)
class DeadLetter:
    """One record in a dead-letter topic, with why it is there."""

    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    def explanation(self, name: str) -> str:
        """One of the ``dlt-*`` headers ('' when absent)."""
        return header(self.headers, name) or ""

    @property
    def original_headers(self) -> list[tuple[str, bytes]]:
        """The headers the record had before it was dead-lettered."""
        return [(name, value) for name, value in self.headers if not name.startswith("dlt-")]

    def summary(self) -> str:
        """One line for a terminal."""
        where = (
            f"{self.explanation(dlt.ORIGINAL_TOPIC)}[{self.explanation(dlt.ORIGINAL_PARTITION)}]"
            f"@{self.explanation(dlt.ORIGINAL_OFFSET)}"
        )
        event = event_type(self.original_headers) or "not an event"
        return (
            f"{self.offset:>6}  {where}  {event}  {self.explanation(dlt.REASON)}: "
            f"{self.explanation(dlt.ERROR)[:160]}"
        )


async def read_dead_letters(
    bootstrap_servers: str, group: str, security: KafkaSecurity | None = None
) -> list[DeadLetter]:
    """Every record currently in the group's dead-letter topic, oldest first."""
    topic = dead_letter_topic(group).name
    partitions = await _partitions(bootstrap_servers, topic, security)
    if not partitions:
        return []
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        client_id=f"{group}-dead-letters-{uuid4().hex[:6]}",
        **aiokafka_security_options(security),
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        found: list[DeadLetter] = []
        async with asyncio.timeout(60):
            while await _behind(consumer, ends):
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    found += [DeadLetter(r.offset, r.key, r.value, tuple(r.headers or ())) for r in records]
        return sorted(found, key=lambda letter: letter.offset)
    finally:
        await consumer.stop()


async def _partitions(
    bootstrap_servers: str, topic: str, security: KafkaSecurity | None
) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **aiokafka_security_options(security))
    await admin.start()
    try:
        [description] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if description.get("error_code"):  # the topic does not exist (yet): nothing was dead-lettered
        return []
    return [
        TopicPartition(topic, p["partition"])
        for p in sorted(description["partitions"], key=lambda p: p["partition"])
    ]


async def _behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for partition, end in ends.items():
        if await consumer.position(partition) < end:
            return True
    return False


async def replay(
    bootstrap_servers: str,
    letters: Iterable[DeadLetter],
    client_id: str,
    security: KafkaSecurity | None = None,
) -> int:
    """Produce each dead letter back to its original topic; returns how many were replayed."""
    producer = create_producer(bootstrap_servers, client_id=client_id, security=security)
    await producer.start()
    replayed = 0
    try:
        for letter in letters:
            topic = letter.explanation(dlt.ORIGINAL_TOPIC)
            if not topic:
                raise ValueError(f"dead letter {letter.offset} does not name its original topic")
            await producer.send_and_wait(
                topic, value=letter.value, key=letter.key, headers=letter.original_headers
            )
            replayed += 1
    finally:
        await producer.stop()
    return replayed
