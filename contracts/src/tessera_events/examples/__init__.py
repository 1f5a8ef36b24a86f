"""One realistic example of every event type, for the AsyncAPI document, the README and tests.

Each owning service keeps its examples in its own module here. The examples are deterministic, so
generated documents stay byte-for-byte the same.
"""

from tessera_events.envelope import CloudEvent, EventData
from tessera_events.examples import billing, identity, notify, partnership, wallet
from tessera_events.examples.common import EXAMPLE_TRACEPARENT, example_at, example_id

__all__ = ["EXAMPLE_DATA", "EXAMPLE_TRACEPARENT", "example_event"]

EXAMPLE_DATA: tuple[EventData, ...] = (
    identity.EXAMPLES + partnership.EXAMPLES + billing.EXAMPLES + wallet.EXAMPLES + notify.EXAMPLES
)


def example_event(event_type: str) -> CloudEvent[EventData]:
    """The example envelope of an event type; KeyError when the type has no example yet."""
    for data in EXAMPLE_DATA:
        if event_type == data.EVENT_TYPE:
            return CloudEvent[EventData](
                id=example_id(f"event:{event_type}"),
                source=f"/tessera/{data.TOPIC.owner}",
                type=event_type,
                time=example_at(3, 11),
                subject=data.aggregate_id(),
                data=data,
            )
    raise KeyError(event_type)
