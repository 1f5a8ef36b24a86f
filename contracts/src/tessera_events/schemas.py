"""JSON Schemas of whole record values: each event type's CloudEvents envelope with its data.

A subscriber validates a record's value against the schema its ``tessera-event-type`` header
(``ce_type`` before 2.0) names. The files live in ``contracts/schemas/<EVENT_TYPE>.json``; once
published, a schema only gains optional fields.
"""

import inspect
import json
import re
from typing import Any

from tessera_events.envelope import CloudEvent, EventData
from tessera_events.registry import EVENT_CLASSES

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_VERSION = re.compile(r"\.v(\d+)$")


def schema_id(event_type: str) -> str:
    """The ``$id`` of an event type's schema."""
    return f"urn:tessera:events:{event_type}"


def schema_file_name(event_type: str) -> str:
    """The file name of an event type's schema inside ``contracts/schemas``."""
    return f"{event_type}.json"


def event_version(event_type: str) -> int:
    """The schema version an event type ends in (``...PayerReassigned.v1`` is 1)."""
    match = _VERSION.search(event_type)
    if match is None:
        raise ValueError(f"event type {event_type!r} does not end in .v<N>")
    return int(match.group(1))


def summary(cls: type) -> str:
    """The first line of a class's docstring."""
    return description(cls).split("\n", 1)[0]


def description(cls: type) -> str:
    """A class's own docstring, dedented (empty when it has none)."""
    return inspect.cleandoc(cls.__dict__.get("__doc__") or "")


def event_schema(cls: type[EventData]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a record value carrying an event of ``cls``."""
    envelope: type[CloudEvent[Any]] = CloudEvent[cls]  # type: ignore[valid-type]
    schema = envelope.model_json_schema(mode="serialization")
    properties = schema["properties"]
    properties["type"] = {**properties["type"], "const": cls.EVENT_TYPE}
    properties["subject"] = {
        **properties["subject"],
        "description": f"The data's {cls.KEY_FIELD}; also the record key.",
    }
    return {
        **schema,
        "$schema": DIALECT,
        "$id": schema_id(cls.EVENT_TYPE),
        "title": f"{cls.__name__} v{event_version(cls.EVENT_TYPE)}",
        "description": (
            f"A record value on {cls.TOPIC.name}: a {cls.EVENT_TYPE} event in its CloudEvents "
            f"envelope. {summary(cls)}"
        ),
    }


def event_schemas() -> dict[str, dict[str, Any]]:
    """The schema of every event type of the contracts, by event type."""
    return {cls.EVENT_TYPE: event_schema(cls) for cls in EVENT_CLASSES}


def render(document: dict[str, Any]) -> str:
    """A JSON document as committed: sorted keys, two-space indent, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
