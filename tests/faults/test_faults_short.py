"""The short form of ``./dev faults``: one consumer kill, PostgreSQL held in recovery, a poison record.

Each runs a small load through the services' HTTP APIs, injects its fault into the real processes
and compares event ids from every outbox to the topics, the inboxes, the projections and the e-mails.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tessera_devtools.faults.runner import Campaign, Result, table
from tessera_devtools.faults.scenarios import SCENARIOS, Scenario

pytestmark = pytest.mark.integration

# A relay woken by NOTIFY publishes within tens of milliseconds (80-140 ms measured under load); one left
# to its 5 s sweep takes 1-4 s (the median over bursts of commits).
RELAY_WAKES_WITHIN_MS = 600


def short(name: str) -> Scenario:
    """A scenario of the suite with a smaller load."""
    scenario = next(s for s in SCENARIOS if s.name == name)
    return replace(scenario, load_seconds=12.0, rate=2.0, limit=180.0)


def assert_nothing_lost_or_duplicated(result: Result) -> None:
    """The scenario ran, lost nothing and duplicated nothing (the table says what went wrong)."""
    assert result.ok, "\n" + table([result])


async def test_a_consumer_killed_under_load_loses_and_duplicates_nothing(campaign: Campaign) -> None:
    assert_nothing_lost_or_duplicated(await campaign.run(short("consumer-kill")))


async def test_postgres_held_in_recovery_loses_nothing_and_relays_wake_again(campaign: Campaign) -> None:
    result = await campaign.run(short("postgres-recovery"))
    assert result.observed.get("57P03", 0) > 0, "no client saw SQLSTATE 57P03:\n" + table([result])
    assert_nothing_lost_or_duplicated(result)
    lag = result.observed.get("relay_p50_ms")
    assert lag is not None, "nothing was committed after PostgreSQL came back:\n" + table([result])
    assert lag < RELAY_WAKES_WITHIN_MS, (
        "the outbox relays no longer wake on commit (only the sweep publishes):\n" + table([result])
    )


async def test_poison_records_are_dead_lettered_and_the_valid_ones_applied(campaign: Campaign) -> None:
    result = await campaign.run(short("poison"))
    assert_nothing_lost_or_duplicated(result)
    assert not any(note.endswith("valid records dead-lettered") for note in result.notes), table([result])
