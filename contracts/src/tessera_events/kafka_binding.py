"""The CloudEvents Kafka protocol binding, structured mode, as Tessera uses it.

The record value is the whole envelope as JSON (``content-type: application/cloudevents+json``).
The ``ce_*`` attribute headers are set as well, so a subscriber can route or filter on the event
type without parsing the value. The record key is the aggregate id (the envelope's ``subject``).
"""

import json
from collections.abc import Sequence

from pydantic import ValidationError

from tessera_events.envelope import CloudEvent, EventData, RawCloudEvent
from tessera_events.errors import ContractViolation
from tessera_events.registry import event_class

CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
Headers = list[tuple[str, bytes]]


def encode(event: CloudEvent[EventData]) -> tuple[bytes, bytes, Headers]:
    """Turn an envelope into a record's (key, value, headers)."""
    value = event.to_json()
    headers: Headers = [
        ("content-type", CONTENT_TYPE.encode()),
        ("ce_specversion", event.specversion.encode()),
        ("ce_id", str(event.id).encode()),
        ("ce_source", event.source.encode()),
        ("ce_type", event.type.encode()),
        ("ce_time", event.time.isoformat().encode()),
        ("ce_subject", event.subject.encode()),
    ]
    return event.subject.encode(), value, headers


def decode(value: bytes | None) -> CloudEvent[EventData]:
    """Parse a record's value into an envelope whose data is checked against its type's schema.

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
