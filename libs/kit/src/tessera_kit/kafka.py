"""Kafka clients with settings safe for money, and topic provisioning from the contracts."""

import asyncio
import contextlib
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from tessera_events import Topic


def create_producer(bootstrap_servers: str, client_id: str) -> AIOKafkaProducer:
    """A producer that waits for every in-sync replica and never duplicates on retry."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        request_timeout_ms=15000,
    )


async def ensure_topics(
    bootstrap_servers: str, topics: Iterable[Topic], client_id: str, replication_factor: int = 1
) -> None:
    """Create the declared topics that do not exist yet, with their partitions and retention.

    Existing topics are left as they are: changing partitions or retention is an operator's call.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id=f"{client_id}-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                name=topic.name,
                num_partitions=topic.partitions,
                replication_factor=replication_factor,
                topic_configs=topic.config,
            )
            for topic in {topic.name: topic for topic in topics}.values()
            if topic.name not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another replica was first
                await admin.create_topics(missing)
            await _wait_for_metadata(admin, {topic.name for topic in missing})
    finally:
        await admin.close()


async def _wait_for_metadata(admin: AIOKafkaAdminClient, names: set[str]) -> None:
    for _ in range(50):
        if names <= set(await admin.list_topics()):
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"topics not visible after creation: {sorted(names)}")
