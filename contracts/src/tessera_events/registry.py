"""The catalogue: every topic and every event type, looked up by name."""

from tessera_events import billing, identity, notify, partnership, wallet
from tessera_events.envelope import EventData
from tessera_events.errors import UnknownEventType
from tessera_events.topics import Topic

_MODULES = (identity, partnership, billing, wallet, notify)

EVENT_CLASSES: tuple[type[EventData], ...] = tuple(cls for module in _MODULES for cls in module.EVENTS)
_BY_TYPE: dict[str, type[EventData]] = {cls.EVENT_TYPE: cls for cls in EVENT_CLASSES}
if len(_BY_TYPE) != len(EVENT_CLASSES):
    raise RuntimeError("two event classes declare the same EVENT_TYPE")

ALL_TOPICS: tuple[Topic, ...] = tuple(dict.fromkeys(topic for module in _MODULES for topic in module.TOPICS))


def event_class(event_type: str) -> type[EventData]:
    """The schema class of an event type; raises UnknownEventType for a type not in the contracts."""
    try:
        return _BY_TYPE[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def topic_for(event_type: str) -> Topic:
    """The topic an event type travels on."""
    return event_class(event_type).TOPIC


def topic_named(name: str) -> Topic:
    """A declared topic by its name."""
    for topic in ALL_TOPICS:
        if topic.name == name:
            return topic
    raise KeyError(name)
