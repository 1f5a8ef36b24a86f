"""Helpers of the end-to-end tests."""

import asyncio
from uuid import uuid4

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord

from tessera_events.kafka_binding import header


async def record_with_event_type(
    bootstrap: str, topic: str, event_type: str, trace_id: str, timeout: float = 30.0
) -> ConsumerRecord[bytes, bytes]:
    """The record of a given event type published in a given trace, read from the topic's start."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"e2e-{uuid4()}", auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        async with asyncio.timeout(timeout):
            while True:
                record = await consumer.getone()
                traceparent = header(record.headers, "traceparent") or ""
                if header(record.headers, "ce_type") == event_type and trace_id in traceparent:
                    return record
    finally:
        await consumer.stop()
