"""Records through the CloudEvents Kafka binding: every event type round-trips; bad records are refused."""

import json
from typing import Any

import pytest

from tessera_events import ContractViolation, UnknownEventType
from tessera_events.examples import example_event
from tessera_events.kafka_binding import CONTENT_TYPE, decode, encode, header
from tessera_events.registry import EVENT_CLASSES

EVENT_TYPES = [cls.EVENT_TYPE for cls in EVENT_CLASSES]


def _example_value(event_type: str = "tessera.billing.PayerReassigned.v1") -> dict[str, Any]:
    value: dict[str, Any] = json.loads(example_event(event_type).to_json())
    return value


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_event_type_round_trips_through_a_record(event_type: str) -> None:
    event = example_event(event_type)

    key, value, headers = encode(event)

    assert decode(value) == event
    assert key == event.data.aggregate_id().encode()
    assert header(headers, "tessera-event-type") == event_type
    assert header(headers, "tessera-event-id") == str(event.id)
    assert not [name for name, _ in headers if name.startswith("ce_")]
    assert header(headers, "content-type") == CONTENT_TYPE


@pytest.mark.parametrize(
    "value", [None, b"", b"\xff\xfe not json", b"[1, 2]", b'{"hello": "world"}'], ids=repr
)
def test_decoding_garbage_raises_contract_violation(value: bytes | None) -> None:
    with pytest.raises(ContractViolation):
        decode(value)


def test_decoding_data_that_fails_its_schema_raises_contract_violation() -> None:
    value = _example_value()
    value["data"]["billing_mode"] = "nobody_pays"

    with pytest.raises(ContractViolation, match="does not match its schema") as raised:
        decode(json.dumps(value).encode())
    assert not isinstance(raised.value, UnknownEventType)


def test_decoding_data_of_another_event_type_raises_contract_violation() -> None:
    value = _example_value()
    value["data"] = _example_value("tessera.billing.SubscriptionCreated.v1")["data"]

    with pytest.raises(ContractViolation):
        decode(json.dumps(value).encode())


def test_decoding_an_unknown_event_type_raises_unknown_event_type() -> None:
    value = _example_value()
    value["type"] = "tessera.billing.PayerReassigned.v99"

    with pytest.raises(UnknownEventType) as raised:
        decode(json.dumps(value).encode())
    assert raised.value.event_type == "tessera.billing.PayerReassigned.v99"


def test_decoding_a_subject_other_than_the_aggregate_id_raises_contract_violation() -> None:
    value = _example_value()
    value["subject"] = "someone-else"

    with pytest.raises(ContractViolation, match="subject"):
        decode(json.dumps(value).encode())


def test_decoding_a_time_without_offset_raises_contract_violation() -> None:
    value = _example_value()
    value["time"] = "2025-03-03T11:30:00"

    with pytest.raises(ContractViolation):
        decode(json.dumps(value).encode())


def test_decoding_ignores_fields_a_newer_schema_version_added() -> None:
    value = _example_value()
    value["data"]["added_later"] = "optional"
    value["data"]["subscriptions"][0]["price"]["added_later"] = 1

    assert decode(json.dumps(value).encode()) == example_event("tessera.billing.PayerReassigned.v1")
