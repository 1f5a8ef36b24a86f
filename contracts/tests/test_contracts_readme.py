"""The subscribers' README stays true: its example decodes and its topic table matches the topics."""

import re
from pathlib import Path

import pytest

from tessera_events import ALL_TOPICS, Topic
from tessera_events.examples import example_event
from tessera_events.kafka_binding import decode
from tessera_events.registry import EVENT_CLASSES

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_example_value_is_the_payer_reassigned_example() -> None:
    match = re.search(r"```json\n(.*?)```", README, re.DOTALL)

    assert match is not None
    assert decode(match.group(1).encode()) == example_event("tessera.billing.PayerReassigned.v1")


@pytest.mark.parametrize("topic", ALL_TOPICS, ids=lambda topic: topic.name)
def test_readme_topic_table_lists_every_topic_as_declared(topic: Topic) -> None:
    rows = [line for line in README.splitlines() if line.startswith(f"| `{topic.name}` |")]
    events = [cls.EVENT_TYPE.split(".", 2)[2] for cls in EVENT_CLASSES if topic == cls.TOPIC]

    assert len(rows) == 1
    cells = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert cells[1:4] == [topic.owner, topic.key, str(topic.partitions)]
    assert sorted(re.findall(r"`([^`]+)`", cells[5])) == sorted(events)
