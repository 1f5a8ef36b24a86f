"""Dead letters: which consumer groups have a dead-letter topic, and the headers that explain a record.

A record a consumer cannot decode, validate or apply after its retries is copied to its group's
dead-letter topic: the original key, value and headers, plus the ``dlt-*`` headers below.
"""

from tessera_events.topics import Topic, dead_letter_topic

CONSUMER_GROUPS: tuple[str, ...] = ("identity", "partnership", "billing", "wallet", "notify")

ERROR = "dlt-error"
ERROR_TYPE = "dlt-error-type"
ORIGINAL_TOPIC = "dlt-original-topic"
ORIGINAL_PARTITION = "dlt-original-partition"
ORIGINAL_OFFSET = "dlt-original-offset"
CONSUMER_GROUP = "dlt-consumer-group"
FAILED_AT = "dlt-failed-at"
REASON = "dlt-reason"

HEADERS: dict[str, str] = {
    ERROR: "The error message of the last attempt.",
    ERROR_TYPE: "The error's class, e.g. ContractViolation or UnknownEventType.",
    ORIGINAL_TOPIC: "The topic the record was read from.",
    ORIGINAL_PARTITION: "The partition it was read from, in decimal.",
    ORIGINAL_OFFSET: "Its offset in that partition, in decimal.",
    CONSUMER_GROUP: "The consumer group that gave up on it.",
    FAILED_AT: "When the consumer gave up, ISO 8601 with an offset (UTC).",
    REASON: "Optional: why, e.g. contract_violation, rejected_by_handler or retries_exhausted.",
}
REQUIRED_HEADERS: tuple[str, ...] = tuple(name for name in HEADERS if name != REASON)


def dead_letter_topics() -> tuple[Topic, ...]:
    """The dead-letter topic of every consumer group of the suite."""
    return tuple(dead_letter_topic(group) for group in CONSUMER_GROUPS)


def is_dead_letter_topic(topic: Topic) -> bool:
    """Whether a topic is the dead-letter topic of its owner's consumer group."""
    return topic == dead_letter_topic(topic.owner)
