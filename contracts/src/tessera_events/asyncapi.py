"""The AsyncAPI 3.0.0 document of Tessera's events, whole or filtered to some topics.

Payload schemas are the JSON Schemas of ``tessera_events.schemas`` with their ``$defs`` moved to
``components/schemas``, so every ``$ref`` resolves inside the document.
"""

import json
import re
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from tessera_events import dead_letter
from tessera_events.envelope import EventData
from tessera_events.examples import EXAMPLE_TRACEPARENT, example_event
from tessera_events.kafka_binding import CONTENT_TYPE, EVENT_ID_HEADER, EVENT_TYPE_HEADER, encode
from tessera_events.registry import ALL_TOPICS, EVENT_CLASSES
from tessera_events.schemas import description, event_schema, event_version, summary
from tessera_events.topics import Topic

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
FALLBACK_VERSION = "1.0.0"
DEAD_LETTER_MESSAGE = "deadLetter"
_TRACEPARENT = r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"


def contracts_version() -> str:
    """The installed version of the tessera-events package."""
    try:
        return version("tessera-events")
    except PackageNotFoundError:
        return FALLBACK_VERSION


def suite_topics() -> tuple[Topic, ...]:
    """Every topic of the suite: the event topics, then every consumer group's dead-letter topic."""
    return (*ALL_TOPICS, *dead_letter.dead_letter_topics())


def asyncapi_document(topics: Iterable[Topic] | None = None) -> dict[str, Any]:
    """The AsyncAPI document of the given topics (default: all, dead-letter topics included)."""
    chosen = tuple(dict.fromkeys(suite_topics() if topics is None else topics))
    classes = [cls for cls in EVENT_CLASSES if cls.TOPIC in chosen]
    messages = {message_id(cls.EVENT_TYPE): _event_message(cls) for cls in classes}
    if any(dead_letter.is_dead_letter_topic(topic) for topic in chosen):
        messages[DEAD_LETTER_MESSAGE] = _dead_letter_message()
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": _info(),
        "defaultContentType": "application/cloudevents+json",
        "servers": _servers(),
        "channels": {channel_id(topic): _channel(topic) for topic in chosen},
        "operations": {f"send{_capitalised(channel_id(topic))}": _operation(topic) for topic in chosen},
        "components": {"messages": messages, "schemas": _component_schemas(classes)},
    }


def channel_id(topic: Topic) -> str:
    """The document's id of a topic's channel, e.g. ``billingPayerAssignmentsV1``."""
    return _identifier(topic.name)


def message_id(event_type: str) -> str:
    """The document's id of an event type's message, e.g. ``billingPayerReassignedV1``."""
    return _identifier(event_type)


def _identifier(name: str) -> str:
    words = [word for word in re.split(r"[^A-Za-z0-9]+", name) if word][1:]
    return words[0] + "".join(_capitalised(word) for word in words[1:])


def _capitalised(word: str) -> str:
    return word[:1].upper() + word[1:]


def _info() -> dict[str, Any]:
    return {
        "title": "Tessera events",
        "version": contracts_version(),
        "description": (
            "Every Kafka topic of Tessera and the events on it. A record's value is a CloudEvents 1.0 "
            "envelope in structured JSON mode (no ce_* headers: those mark binary mode); its key is the "
            "id of the aggregate the event is about, "
            "so events about one thing stay in order. Event types end in their schema version "
            "(`.v1`); a published schema only ever gains optional fields."
        ),
    }


def _servers() -> dict[str, Any]:
    return {
        "development": {
            "host": "localhost:9092",
            "protocol": "kafka",
            "description": "Placeholder: the local development broker; use your cluster's bootstrap servers.",
        }
    }


def _channel(topic: Topic) -> dict[str, Any]:
    return {
        "address": topic.name,
        "title": topic.name,
        "description": f"{topic.description}\n\nOwner: {topic.owner}. Record key: {topic.key}.",
        "messages": {mid: {"$ref": f"#/components/messages/{mid}"} for mid in _message_ids(topic)},
        "bindings": {"kafka": _channel_binding(topic)},
        "x-owner": topic.owner,
    }


def _message_ids(topic: Topic) -> list[str]:
    if dead_letter.is_dead_letter_topic(topic):
        return [DEAD_LETTER_MESSAGE]
    return [message_id(cls.EVENT_TYPE) for cls in EVENT_CLASSES if topic == cls.TOPIC]


def _channel_binding(topic: Topic) -> dict[str, Any]:
    return {
        "bindingVersion": KAFKA_BINDING_VERSION,
        "topic": topic.name,
        "partitions": topic.partitions,
        "topicConfiguration": {
            "retention.ms": topic.retention_ms,
            "cleanup.policy": topic.config["cleanup.policy"].split(","),
        },
    }


def _operation(topic: Topic) -> dict[str, Any]:
    cid = channel_id(topic)
    return {
        "action": "send",
        "channel": {"$ref": f"#/channels/{cid}"},
        "title": f"{topic.owner} publishes to {topic.name}",
        "summary": f"Only the {topic.owner} service writes to this topic.",
        "messages": [{"$ref": f"#/channels/{cid}/messages/{mid}"} for mid in _message_ids(topic)],
        "x-owner": topic.owner,
    }


def _event_message(cls: type[EventData]) -> dict[str, Any]:
    return {
        "name": cls.EVENT_TYPE,
        "title": f"{cls.__name__} v{event_version(cls.EVENT_TYPE)}",
        "summary": summary(cls),
        "description": description(cls),
        "contentType": "application/cloudevents+json",
        "headers": _event_headers(cls),
        "payload": {"$ref": f"#/components/schemas/{cls.EVENT_TYPE}"},
        "bindings": {"kafka": {"bindingVersion": KAFKA_BINDING_VERSION, "key": _key_schema(cls)}},
        "examples": _examples(cls),
    }


def _key_schema(cls: type[EventData]) -> dict[str, Any]:
    field = cls.model_json_schema(mode="serialization")["properties"][cls.KEY_FIELD]
    return {
        "type": "string",
        **({"format": field["format"]} if "format" in field else {}),
        "description": (
            f"The event's {cls.KEY_FIELD}, UTF-8 (the envelope's subject): every event about one "
            "aggregate lands on one partition, in order."
        ),
    }


def _event_headers(cls: type[EventData]) -> dict[str, Any]:
    properties = {
        "content-type": _string("Structured mode: the value is the whole envelope.", const=CONTENT_TYPE),
        EVENT_TYPE_HEADER: _string(
            "The envelope's type, to route or filter without parsing the value.", const=cls.EVENT_TYPE
        ),
        EVENT_ID_HEADER: _string("The envelope's id; consumers deduplicate on it.", format="uuid"),
        "traceparent": _string(
            "Optional W3C trace context of the transaction that wrote the event.", pattern=_TRACEPARENT
        ),
    }
    return {"type": "object", "properties": properties, "required": sorted(set(properties) - {"traceparent"})}


def _string(text: str, **keywords: str) -> dict[str, Any]:
    return {"type": "string", "description": text, **keywords}


def _examples(cls: type[EventData]) -> list[dict[str, Any]]:
    event = example_event(cls.EVENT_TYPE)
    _, value, headers = encode(event)
    return [
        {
            "name": f"{cls.__name__}Example",
            "summary": f"A {cls.EVENT_TYPE} record as it travels on {cls.TOPIC.name}.",
            "headers": {name: raw.decode() for name, raw in headers} | {"traceparent": EXAMPLE_TRACEPARENT},
            "payload": json.loads(value),
        }
    ]


def _dead_letter_message() -> dict[str, Any]:
    properties = {name: _string(text) for name, text in dead_letter.HEADERS.items()}
    return {
        "name": "tessera.DeadLetter",
        "title": "Dead letter",
        "summary": "A record a consumer group could not apply, copied with the error in dlt-* headers.",
        "description": (
            "Key, value and headers are the original record's, unchanged (the value may not even be "
            "JSON: that may be why it is here). The dlt-* headers say what failed, and where the "
            "original is. Fix the cause, then replay the value to the original topic or apply it by hand."
        ),
        "contentType": "application/octet-stream",
        "headers": {
            "type": "object",
            "properties": properties,
            "required": list(dead_letter.REQUIRED_HEADERS),
        },
        "payload": {"description": "The original record's value, byte for byte."},
        "bindings": {
            "kafka": {
                "bindingVersion": KAFKA_BINDING_VERSION,
                "key": {"type": "string", "description": "The original record's key, unchanged."},
            }
        },
    }


def _component_schemas(classes: Iterable[type[EventData]]) -> dict[str, Any]:
    """Each event's envelope schema by event type, and their ``$defs`` hoisted next to them."""
    components: dict[str, Any] = {}
    for cls in classes:
        schema = _pointing_at_components(event_schema(cls))
        for name, definition in schema.pop("$defs", {}).items():
            if components.setdefault(name, definition) != definition:
                raise ValueError(f"two different schemas are both named {name!r}")
        components[cls.EVENT_TYPE] = {k: v for k, v in schema.items() if k not in ("$schema", "$id")}
    return components


def _pointing_at_components(node: Any) -> Any:
    """A copy of a schema whose ``#/$defs/X`` references point at ``#/components/schemas/X``."""
    if isinstance(node, dict):
        return {
            key: value.replace("#/$defs/", "#/components/schemas/", 1)
            if key == "$ref" and isinstance(value, str)
            else _pointing_at_components(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_pointing_at_components(item) for item in node]
    return node
