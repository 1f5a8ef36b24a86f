"""Topic declarations: name, record key, partitions and retention."""

from dataclasses import dataclass

FOREVER = -1
DAY_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True)
class Topic:
    """One Kafka topic as the suite declares it.

    ``key`` names the aggregate whose id is the record key, so that every event about one
    aggregate lands on one partition and stays in order.
    """

    name: str
    owner: str
    key: str
    description: str
    partitions: int = 3
    retention_ms: int = FOREVER

    @property
    def config(self) -> dict[str, str]:
        """Topic-level configuration to apply when the topic is created."""
        return {"retention.ms": str(self.retention_ms), "cleanup.policy": "delete"}


def dead_letter_topic(consumer_group: str) -> Topic:
    """The dead-letter topic of one consumer group (one per service).

    A record that cannot be decoded, validated or applied after its retries is copied here with
    the error in its headers, and the consumer moves on to the next record of its partition.
    """
    return Topic(
        name=f"tessera.{consumer_group}.dead-letter.v1",
        owner=consumer_group,
        key="the original record's key",
        description=(
            f"Records the {consumer_group} service could not apply: the original key, value and "
            "headers, plus dlt-* headers naming the error, the original topic, partition and offset."
        ),
        partitions=1,
        retention_ms=30 * DAY_MS,
    )
