"""The CloudEvents Kafka protocol binding, structured mode, as Tessera uses it.

The record value is the whole envelope as JSON and the ``content-type`` header says so
(``application/cloudevents+json``); the record key is the aggregate id (the envelope's ``subject``).
No ``ce_*`` header is set: in the binding those mark *binary* mode, and a subscriber's SDK that
finds one (the CloudEvents Python SDK's ``from_kafka_event`` does) would take the whole envelope for
the event's data. For routing without parsing the value, ``tessera-event-type`` and
``tessera-event-id`` carry the envelope's ``type`` and ``id``.

Records written by tessera-events 1.x carried ``ce_*`` copies of the attributes instead; their
value is the same envelope, so :func:`decode` reads both, and :func:`event_type` and
:func:`event_id` fall back to the old headers (topics keep records for years).
"""

import json
from collections.abc import Sequence

from pydantic import ValidationError

from tessera_events.envelope import CloudEvent, EventData, RawCloudEvent
from tessera_events.errors import ContractViolation
from tessera_events.registry import event_class

CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
EVENT_TYPE_HEADER = "tessera-event-type"
EVENT_ID_HEADER = "tessera-event-id"
# Written by tessera-events 1.x (structured mode with ce_* copies); read, never written.
LEGACY_EVENT_TYPE_HEADER = "ce_type"
LEGACY_EVENT_ID_HEADER = "ce_id"
Headers = list[tuple[str, bytes]]


def encode(event: CloudEvent[EventData]) -> tuple[bytes, bytes, Headers]:
    """Turn an envelope into a record's (key, value, headers)."""
    headers: Headers = [
        ("content-type", CONTENT_TYPE.encode()),
        (EVENT_TYPE_HEADER, event.type.encode()),
        (EVENT_ID_HEADER, str(event.id).encode()),
    ]
    return event.subject.encode(), event.to_json(), headers


def decode(value: bytes | None) -> CloudEvent[EventData]:
    """Parse a record's value into an envelope whose data is checked against its type's schema.

    Reads records of every version of this package (the value has always been the envelope).
    Raises ContractViolation (or its subclass UnknownEventType) for anything that is not a valid
    event of the contracts.
    """
    if not value:
        raise ContractViolation("empty record value")
    try:
        raw = RawCloudEvent.model_validate(json.loads(value))
    except (ValueError, ValidationError) as error:
        raise ContractViolation(f"not a CloudEvents envelope: {error}") from error
    schema = event_class(raw.type)
    try:
        data = schema.model_validate(raw.data)
        return CloudEvent[EventData](
            id=raw.id,
            source=raw.source,
            type=raw.type,
            time=raw.time,
            subject=raw.subject,
            data=data,
        )
    except ValidationError as error:
        raise ContractViolation(f"{raw.type} data does not match its schema: {error}") from error


def header(headers: Sequence[tuple[str, bytes]], name: str) -> str | None:
    """The first value of a record header, decoded, or None."""
    for key, value in headers:
        if key == name:
            return value.decode(errors="replace")
    return None


def event_type(headers: Sequence[tuple[str, bytes]]) -> str | None:
    """A record's event type from its headers, for records of any version of this package."""
    return header(headers, EVENT_TYPE_HEADER) or header(headers, LEGACY_EVENT_TYPE_HEADER)


def event_id(headers: Sequence[tuple[str, bytes]]) -> str | None:
    """A record's event id from its headers, for records of any version of this package."""
    return header(headers, EVENT_ID_HEADER) or header(headers, LEGACY_EVENT_ID_HEADER)
