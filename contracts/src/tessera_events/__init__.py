"""Tessera's Kafka contracts: every topic, every event schema, and the CloudEvents envelope.

This package depends on pydantic alone, so subscribers outside the suite can install it on its own.
"""

from tessera_events.envelope import CloudEvent, EventData
from tessera_events.errors import ContractViolation, UnknownEventType
from tessera_events.money import Currency, Money
from tessera_events.registry import ALL_TOPICS, event_class, topic_for, topic_named
from tessera_events.topics import Topic, dead_letter_topic

__all__ = [
    "ALL_TOPICS",
    "CloudEvent",
    "ContractViolation",
    "Currency",
    "EventData",
    "Money",
    "Topic",
    "UnknownEventType",
    "dead_letter_topic",
    "event_class",
    "topic_for",
    "topic_named",
]
