"""The catalogue is consistent: topics, keys, versioned event types and examples."""

import re

import pytest

from tessera_events import ALL_TOPICS, EventData, event_class, topic_for
from tessera_events.dead_letter import dead_letter_topics
from tessera_events.examples import EXAMPLE_DATA, example_event
from tessera_events.registry import EVENT_CLASSES

CLASSES = pytest.mark.parametrize("cls", EVENT_CLASSES, ids=lambda cls: cls.EVENT_TYPE)


@CLASSES
def test_every_event_travels_on_a_declared_topic(cls: type[EventData]) -> None:
    assert cls.TOPIC in ALL_TOPICS
    assert topic_for(cls.EVENT_TYPE) == cls.TOPIC


@CLASSES
def test_every_event_key_field_is_a_field_and_the_topic_key(cls: type[EventData]) -> None:
    assert cls.KEY_FIELD in cls.model_fields
    assert cls.TOPIC.key == cls.KEY_FIELD


@CLASSES
def test_every_event_type_ends_in_its_version(cls: type[EventData]) -> None:
    assert re.fullmatch(r"[a-z]+(\.[A-Za-z0-9-]+)+\.v[1-9][0-9]*", cls.EVENT_TYPE)


@CLASSES
def test_every_event_type_names_the_topic_owner(cls: type[EventData]) -> None:
    assert cls.EVENT_TYPE.startswith(f"tessera.{cls.TOPIC.owner}.")


@CLASSES
def test_every_event_type_is_found_by_its_name(cls: type[EventData]) -> None:
    assert event_class(cls.EVENT_TYPE) is cls


@CLASSES
def test_every_event_type_has_an_example(cls: type[EventData]) -> None:
    assert isinstance(example_event(cls.EVENT_TYPE).data, cls)


def test_examples_are_one_per_event_type() -> None:
    assert sorted(data.EVENT_TYPE for data in EXAMPLE_DATA) == sorted(cls.EVENT_TYPE for cls in EVENT_CLASSES)


def test_topic_names_are_unique_and_versioned() -> None:
    names = [topic.name for topic in (*ALL_TOPICS, *dead_letter_topics())]

    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"tessera\.[a-z]+\.[a-z-]+\.v[1-9][0-9]*", name) for name in names)
