"""The AsyncAPI document: complete, self-contained, and filterable to one service's topics."""

from collections.abc import Iterator
from typing import Any

from tessera_events import ALL_TOPICS, dead_letter_topic
from tessera_events.asyncapi import asyncapi_document, channel_id, contracts_version, message_id
from tessera_events.billing import PAYER_ASSIGNMENTS
from tessera_events.dead_letter import CONSUMER_GROUPS, HEADERS
from tessera_events.identity import SIGNING_KEYS
from tessera_events.registry import EVENT_CLASSES


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolves(document: dict[str, Any], ref: str) -> bool:
    node: Any = document
    for token in ref.removeprefix("#/").split("/"):
        if not isinstance(node, dict) or token not in node:
            return False
        node = node[token]
    return True


def test_every_reference_resolves_inside_the_document() -> None:
    document = asyncapi_document()

    assert [ref for ref in _refs(document) if not _resolves(document, ref)] == []


def test_document_is_asyncapi_3_with_the_package_version() -> None:
    document = asyncapi_document()

    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["title"] == "Tessera events"
    assert document["info"]["version"] == contracts_version()
    assert document["servers"]["development"]["protocol"] == "kafka"


def test_every_topic_and_dead_letter_topic_has_a_channel_with_its_kafka_settings() -> None:
    channels = asyncapi_document()["channels"]

    for topic in (*ALL_TOPICS, *(dead_letter_topic(group) for group in CONSUMER_GROUPS)):
        channel = channels[channel_id(topic)]
        binding = channel["bindings"]["kafka"]
        assert channel["address"] == topic.name
        assert channel["x-owner"] == topic.owner
        assert binding["partitions"] == topic.partitions
        assert binding["topicConfiguration"] == {
            "retention.ms": topic.retention_ms,
            "cleanup.policy": ["delete"],
        }


def test_every_topic_has_a_send_operation_of_its_owner() -> None:
    operations = asyncapi_document()["operations"].values()

    sent = {(operation["channel"]["$ref"], operation["x-owner"]) for operation in operations}
    assert all(operation["action"] == "send" for operation in operations)
    assert {(f"#/channels/{channel_id(topic)}", topic.owner) for topic in ALL_TOPICS} <= sent


def test_every_event_type_has_a_message_keyed_by_its_key_field() -> None:
    messages = asyncapi_document()["components"]["messages"]

    for cls in EVENT_CLASSES:
        message = messages[message_id(cls.EVENT_TYPE)]
        assert message["name"] == cls.EVENT_TYPE
        assert message["payload"] == {"$ref": f"#/components/schemas/{cls.EVENT_TYPE}"}
        assert message["contentType"] == "application/cloudevents+json"
        assert cls.KEY_FIELD in message["bindings"]["kafka"]["key"]["description"]
        assert message["headers"]["properties"]["tessera-event-type"]["const"] == cls.EVENT_TYPE
        assert not [name for name in message["headers"]["properties"] if name.startswith("ce_")]
        assert "traceparent" in message["headers"]["properties"]


def test_dead_letter_message_describes_the_dlt_headers() -> None:
    message = asyncapi_document()["components"]["messages"]["deadLetter"]

    assert set(HEADERS) <= set(message["headers"]["properties"])
    assert "dlt-original-offset" in message["headers"]["required"]


def test_a_filtered_document_holds_only_the_given_topics_and_still_resolves() -> None:
    document = asyncapi_document([PAYER_ASSIGNMENTS, SIGNING_KEYS, dead_letter_topic("billing")])

    assert set(document["channels"]) == {
        channel_id(PAYER_ASSIGNMENTS),
        channel_id(SIGNING_KEYS),
        channel_id(dead_letter_topic("billing")),
    }
    assert set(document["components"]["messages"]) == {
        message_id("tessera.billing.PayerReassigned.v1"),
        message_id("tessera.identity.SigningKeyPublished.v1"),
        "deadLetter",
    }
    assert "tessera.billing.SubscriptionCreated.v1" not in document["components"]["schemas"]
    assert [ref for ref in _refs(document) if not _resolves(document, ref)] == []


def test_a_document_without_dead_letter_topics_has_no_dead_letter_message() -> None:
    document = asyncapi_document([PAYER_ASSIGNMENTS])

    assert "deadLetter" not in document["components"]["messages"]
