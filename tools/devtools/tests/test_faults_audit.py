"""The fault suite's comparison and table, on made-up snapshots (no infrastructure)."""

from __future__ import annotations

import pytest

from tessera_devtools.faults.audit import (
    Effects,
    OutboxRow,
    Snapshot,
    Window,
    missing_events,
    out_of_order,
    replayed_twice,
    verdict,
)
from tessera_devtools.faults.runner import Result, select, table
from tessera_devtools.faults.topiclog import Seen, TopicLog

TOPIC = "tessera.identity.organisations.v1"
TYPE = "tessera.identity.OrganisationRegistered.v1"


def row(event_id: str, seq: int, key: str = "k", published: bool = True) -> OutboxRow:
    return OutboxRow("identity", event_id, TOPIC, key, TYPE, seq, float(seq), published, float(seq) + 0.1)


def log_with(*placed: tuple[str, int]) -> TopicLog:
    topics = TopicLog("127.0.0.1:1", {TOPIC: 1})
    for event_id, offset in placed:
        seen = Seen(TOPIC, 0, offset, "k", event_id, TYPE, None, 0.0)
        topics.records.append(seen)
        topics.by_id[event_id].append(seen)
    return topics


def window() -> Window:
    handled: dict[str, set[tuple[str, str]]] = {name: set() for name in ("partnership", "wallet", "notify")}
    return Window({}, 0.0, 0, {**handled, "billing": {(TOPIC, TYPE)}})


def test_an_event_missing_from_an_inbox_that_applies_its_type_counts_as_lost() -> None:
    snap = Snapshot(outbox=[row("a", 1), row("b", 2)], inbox={"billing": {"a": 1.0}})
    found = verdict(window(), snap, log_with(("a", 0), ("b", 1)))
    assert found.lost["inbox"] == 1
    assert found.lost["topic"] == 0


def test_an_unpublished_event_is_lost_at_the_topic_not_counted_again_per_inbox() -> None:
    snap = Snapshot(outbox=[row("a", 1, published=False)], inbox={"billing": {}})
    found = verdict(window(), snap, log_with())
    assert (found.lost["topic"], found.lost["inbox"]) == (1, 0)


def test_recovery_looks_only_at_events_committed_before_the_cutoff() -> None:
    snap = Snapshot(outbox=[row("a", 1), row("b", 5)], inbox={"billing": {"a": 1.0}})
    assert missing_events(window(), snap, log_with(("a", 0), ("b", 1)), cutoff=2.0) == 0
    assert missing_events(window(), snap, log_with(("a", 0), ("b", 1))) == 1


def test_a_key_whose_events_reach_the_topic_in_another_order_is_out_of_order() -> None:
    snap = Snapshot(outbox=[row("a", 1), row("b", 2)], inbox={"billing": {"a": 1.0, "b": 2.0}})
    assert out_of_order(window(), snap, log_with(("a", 0), ("b", 1))) == 0
    assert out_of_order(window(), snap, log_with(("a", 1), ("b", 0))) == 1


def test_a_message_id_received_twice_is_a_duplicate() -> None:
    snap = Snapshot()
    snap.mail.update({"d1": 2, "d2": 1})
    assert verdict(window(), snap, log_with()).duplicated["mail"] == 1


def test_a_replay_that_sends_a_delivery_for_an_applied_event_again_counts_it() -> None:
    before = Effects(frozenset({"e1"}), {"d1": "e1"}, frozenset(), 3, 0, 0, frozenset({"d1"}))
    deliveries = {"d1": "e1", "d2": "e1"}
    after = Effects(frozenset({"e1"}), deliveries, frozenset(), 3, 0, 0, frozenset({"d1", "d2"}))
    assert replayed_twice(before, after)["e-mails"] == 1
    assert replayed_twice(before, before) == {
        "e-mails": 0,
        "payer changes": 0,
        "ledger entries": 0,
        "charges": 0,
        "stripe keys": 0,
    }


def test_scenarios_are_chosen_by_name_in_the_suites_order() -> None:
    assert [s.name for s in select(["poison", "consumer-kill"])] == ["consumer-kill", "poison"]
    with pytest.raises(ValueError, match="unknown scenario"):
        select(["no-such-fault"])


def test_the_table_has_a_row_per_scenario_and_fails_on_loss() -> None:
    rows = [Result("consumer-kill", events=10, recovery=1.25), Result("poison", events=5, lost=1)]
    printed = table(rows).splitlines()
    assert printed[0].startswith("| scenario")
    assert "1.2 s" in printed[2] or "1.3 s" in printed[2]
    assert rows[0].ok
    assert not rows[1].ok
