"""The transactional outbox: a use case writes its events as outbox rows in its own transaction.

``tessera_kit.relay`` publishes them to Kafka.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from opentelemetry.context import Context
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tessera_events import CloudEvent, EventData, topic_for
from tessera_events.kafka_binding import encode
from tessera_kit.telemetry import context_from_headers, current_trace_headers

OUTBOX_CHANNEL = "tessera_outbox"


async def write_outbox(
    session: AsyncSession,
    events: Sequence[CloudEvent[EventData]],
    traces: Mapping[UUID, dict[str, str]] | None = None,
) -> None:
    """Insert the events as outbox rows, each with the trace context it was emitted in (``traces``,
    by event id), else that of the transaction writing them."""
    current = current_trace_headers()
    traces = traces or {}
    await session.execute(
        text(
            "INSERT INTO tessera_outbox (event_id, topic, record_key, event_type, payload, headers, "
            "traceparent, tracestate) VALUES (:event_id, :topic, :record_key, :event_type, :payload, "
            ":headers, :traceparent, :tracestate)"
        ),
        [_outbox_row(event, traces.get(event.id, current)) for event in events],
    )


def _outbox_row(event: CloudEvent[EventData], trace_headers: dict[str, str]) -> dict[str, object]:
    key, value, headers = encode(event)
    return {
        "event_id": event.id,
        "topic": topic_for(event.type).name,
        "record_key": key.decode(),
        "event_type": event.type,
        "payload": value.decode(),
        "headers": json.dumps([[name, raw.decode()] for name, raw in headers]),
        "traceparent": trace_headers.get("traceparent"),
        "tracestate": trace_headers.get("tracestate"),
    }


@dataclass(frozen=True)
class OutboxRow:
    """One event waiting to be published."""

    seq: int
    event_id: str
    topic: str
    record_key: str
    event_type: str
    payload: str
    headers: str
    traceparent: str | None
    tracestate: str | None

    def record_headers(self) -> list[tuple[str, bytes]]:
        """The CloudEvents binding headers stored with the row."""
        return [(name, value.encode()) for name, value in json.loads(self.headers)]

    def trace_context(self) -> Context:
        """The trace context of the transaction that wrote the row."""
        stored = (("traceparent", self.traceparent), ("tracestate", self.tracestate))
        return context_from_headers([(name, value) for name, value in stored if value])
