"""Subscribers using the official CloudEvents SDK (``cloudevents`` 2.x) read Tessera's records right,
whichever structured-mode entry point they call, the auto-detecting ``from_kafka_event`` included;
and records written by tessera-events 1.x (with ``ce_*`` headers) still decode during an upgrade."""

import json
from pathlib import Path
from typing import Any

import pytest
from cloudevents.core.bindings import kafka
from cloudevents.v1 import kafka as kafka_v1

from tessera_events.examples import example_event
from tessera_events.kafka_binding import decode, encode, event_id, event_type
from tessera_events.registry import EVENT_CLASSES

EVENT_TYPES = [cls.EVENT_TYPE for cls in EVENT_CLASSES]
LEGACY_RECORD = json.loads(
    (Path(__file__).parent / "records" / "payer-reassigned-written-by-1.0.json").read_text(encoding="utf-8")
)


def message(event_type_name: str) -> kafka.KafkaMessage:
    key, value, headers = encode(example_event(event_type_name))
    return kafka.KafkaMessage(headers=dict(headers), key=key, value=value)


def envelope(event_type_name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(example_event(event_type_name).to_json())
    return loaded


def attributes_and_data(event: Any) -> tuple[dict[str, Any], Any]:
    attributes = event.get_attributes()
    wanted = {name: attributes[name] for name in ("id", "type", "source", "subject", "specversion")}
    return wanted | {"time": attributes["time"].isoformat().replace("+00:00", "Z")}, event.get_data()


@pytest.mark.parametrize("event_type_name", EVENT_TYPES)
@pytest.mark.parametrize("entry_point", [kafka.from_kafka_event, kafka.from_structured_event])
def test_the_sdk_reads_the_envelope_attributes_and_the_events_data(
    event_type_name: str, entry_point: Any
) -> None:
    expected = envelope(event_type_name)

    attributes, data = attributes_and_data(entry_point(message(event_type_name)))

    assert attributes == {name: expected[name] for name in attributes}
    assert data == expected["data"]


def test_the_sdks_partition_key_is_the_aggregate_id() -> None:
    event = kafka.from_kafka_event(message("tessera.billing.PayerReassigned.v1"))
    assert event.get_extension("partitionkey") == envelope("tessera.billing.PayerReassigned.v1")["subject"]


def test_the_sdks_v1_api_reads_the_structured_record() -> None:
    key, value, headers = encode(example_event("tessera.billing.PayerReassigned.v1"))
    event = kafka_v1.from_structured(kafka_v1.KafkaMessage(headers=dict(headers), key=key, value=value))
    assert event["type"] == "tessera.billing.PayerReassigned.v1"
    assert event.get_data() == envelope("tessera.billing.PayerReassigned.v1")["data"]


def test_no_header_makes_the_sdk_take_the_record_for_binary_mode() -> None:
    for event_type_name in EVENT_TYPES:
        assert not [name for name in message(event_type_name).headers if name.lower().startswith("ce_")]


def legacy() -> tuple[bytes, list[tuple[str, bytes]]]:
    headers = [(name, value.encode()) for name, value in LEGACY_RECORD["headers"].items()]
    return LEGACY_RECORD["value"].encode(), headers


def test_a_record_written_by_1_x_decodes_to_the_same_event_as_one_written_now() -> None:
    value, _ = legacy()
    _, current_value, _ = encode(example_event("tessera.billing.PayerReassigned.v1"))

    assert decode(value) == decode(current_value) == example_event("tessera.billing.PayerReassigned.v1")


def test_routing_headers_are_read_from_records_of_either_version() -> None:
    _, legacy_headers = legacy()
    _, _, current_headers = encode(example_event("tessera.billing.PayerReassigned.v1"))

    assert event_type(legacy_headers) == event_type(current_headers) == "tessera.billing.PayerReassigned.v1"
    assert event_id(legacy_headers) == event_id(current_headers) == LEGACY_RECORD["headers"]["ce_id"]


def test_why_the_ce_headers_went_the_sdk_took_a_1_x_record_for_binary_mode() -> None:
    value, headers = legacy()
    event = kafka.from_kafka_event(kafka.KafkaMessage(headers=dict(headers), key=None, value=value))
    assert event.get_data() == json.loads(value)  # the whole envelope, not the event's data
