"""``./dev bench pipeline``: N OrganisationRegistered rows through identity's outbox, the relay, Kafka
and every consumer's inbox, next to the raw limits of the same broker and database in the same run.

Two phases: live (the consumers follow the relay, so a relay slower than them bounds their figures),
then a backlog (N more rows published while the four consumer services are SIGSTOPped, then resumed),
which shows each consumer's own pace. Then the raw producer, the raw batched and the raw serial loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from tessera_devtools.bench import outbox_feed, raw
from tessera_devtools.bench.suite import CONSUMER_GROUPS, Lag, Suite, inbox_count, rate, ratio, say
from tessera_events.identity import ORGANISATIONS

SAMPLE_SECONDS = 0.25
SERIAL_SAMPLE = 3000


@dataclass
class Progress:
    """Samples taken while the events flow: (seconds since the commit, count) per series."""

    series: dict[str, list[tuple[float, int]]] = field(default_factory=dict)
    done_at: dict[str, float] = field(default_factory=dict)
    first_at: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, at: float, count: int, target: int) -> None:
        """Record one sample; note when the series first moved and when it reached ``target``."""
        self.series.setdefault(name, []).append((at, count))
        if count > 0 and name not in self.first_at:
            self.first_at[name] = at
        if count >= target and name not in self.done_at:
            self.done_at[name] = at

    def last(self, name: str) -> int:
        """The latest count of a series."""
        samples = self.series.get(name, [])
        return samples[-1][1] if samples else 0


async def _baseline(suite: Suite, lag: Lag) -> tuple[int, dict[str, int]]:
    counts: dict[str, int] = {}
    for group in CONSUMER_GROUPS:
        connection = await asyncpg.connect(suite.dsn(group))
        try:
            counts[group] = await inbox_count(connection, group, outbox_feed.EVENT_TYPE)
        finally:
            await connection.close()
    return await lag.topic_end(ORGANISATIONS.name, ORGANISATIONS.partitions), counts


async def _follow(
    suite: Suite, lag: Lag, committed: float, events: int, base: tuple[int, dict[str, int]], timeout: float
) -> Progress:
    """Sample the topic's end offset (relay) and each inbox until all hold ``events``, or ``timeout``."""
    topic_base, inbox_base = base
    progress = Progress()
    connections = {group: await asyncpg.connect(suite.dsn(group)) for group in CONSUMER_GROUPS}
    try:
        while time.monotonic() - committed < timeout:
            at = time.monotonic() - committed
            published = await lag.topic_end(ORGANISATIONS.name, ORGANISATIONS.partitions) - topic_base
            progress.add("relay", at, published, events)
            for group, connection in connections.items():
                applied = await inbox_count(connection, group, outbox_feed.EVENT_TYPE) - inbox_base[group]
                progress.add(group, at, applied, events)
            if len(progress.done_at) == 1 + len(CONSUMER_GROUPS):
                break
            await asyncio.sleep(SAMPLE_SECONDS)
    finally:
        for connection in connections.values():
            await connection.close()
    return progress


def _service_rates(progress: Progress, events: int) -> dict[str, dict[str, float | int | bool]]:
    """Per series: events/s from the commit, and while it was moving (first movement to done)."""
    figures: dict[str, dict[str, float | int | bool]] = {}
    for name, samples in progress.series.items():
        end = progress.done_at.get(name, samples[-1][0] if samples else 0.0)
        count = progress.last(name)
        moving = end - progress.first_at.get(name, 0.0)
        figures[name] = {
            "events": count,
            "complete": count >= events,
            "seconds_from_commit": end,
            "per_second_from_commit": rate(count, end),
            "per_second_while_moving": rate(count, moving),
        }
    return figures


@contextlib.contextmanager
def _paused(suite: Suite, groups: tuple[str, ...]) -> Iterator[None]:
    """SIGSTOP the services of ``groups`` (their process groups) and SIGCONT them on leaving."""
    pids = [suite.services.processes[group].popen.pid for group in groups]
    for pid in pids:
        os.killpg(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGCONT)


async def _backlog(suite: Suite, lag: Lag, events: int, timeout: float) -> dict[str, Any]:
    """The consumers' own pace: write ``events`` more rows with the four consumer services stopped
    (SIGSTOP), wait until the relay published them all, then resume the services (SIGCONT) and follow
    the inboxes. A resumed consumer may first rejoin its group; its rate counts from its first event."""
    organisations = [outbox_feed.org(index) for index in range(events)]
    base = await _baseline(suite, lag)
    say(f"  backlog: {events:,} more rows with the consumers stopped (SIGSTOP), then resumed...")
    with _paused(suite, CONSUMER_GROUPS):
        await outbox_feed.write_rows(suite.endpoints.database_urls["identity"], organisations)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await lag.topic_end(ORGANISATIONS.name, ORGANISATIONS.partitions) - base[0] >= events:
                break
            await asyncio.sleep(SAMPLE_SECONDS)
    resumed = time.monotonic()
    progress = await _follow(suite, lag, resumed, events, base, timeout)
    return {"figures": _service_rates(progress, events), "samples": progress.series}


async def _raw_limits(suite: Suite, events: int, serial_sample: int) -> dict[str, raw.RawFigure]:
    size, headers = outbox_feed.record_size(outbox_feed.registered(outbox_feed.org(0), _now()))
    topic = raw.raw_topic("pipeline", ORGANISATIONS.partitions)
    await asyncio.to_thread(raw.make_topics, suite.bootstrap, topic)
    dsn = suite.dsn("identity")
    await raw.prepare_inbox(dsn)
    say(f"  raw: producing {events:,} records of {size} B (acks=all, idempotent)...")
    produced = await raw.raw_produce(suite.bootstrap, topic.name, events, size, headers)
    say(f"  raw: consuming them, one transaction + offset commit per batch (up to {raw.MAX_BATCH})...")
    batched = await raw.raw_consume(
        suite.bootstrap, topic.name, dsn, count=events, serial=False, timeout=max(120.0, events / 200)
    )
    say(f"  raw: consuming {serial_sample:,} of them, one transaction + offset commit per record...")
    serial = await raw.raw_consume(
        suite.bootstrap, topic.name, dsn, count=serial_sample, serial=True, timeout=180.0
    )
    return {"producer": produced, "batched": batched, "serial": serial}


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _print(
    figures: dict[str, dict[str, float | int | bool]], limits: dict[str, raw.RawFigure], events: int
) -> None:
    producer, batched, serial = limits["producer"], limits["batched"], limits["serial"]
    say(f"\npipeline, {events:,} OrganisationRegistered events, outbox -> relay -> Kafka -> 4 inboxes:")
    relay = figures["relay"]
    moving = float(relay["per_second_while_moving"])
    say(
        f"  relay        {moving:>9,.0f} rows/s   raw producer {producer.per_second:>9,.0f}/s   "
        f"ratio {ratio(moving, producer.per_second)}   ({float(relay['per_second_from_commit']):,.0f}/s "
        "from the commit)" + ("" if relay["complete"] else f"   INCOMPLETE: {relay['events']:,} published")
    )
    for group in CONSUMER_GROUPS:
        one = figures[group]
        moving = float(one["per_second_while_moving"])
        say(
            f"  {group:<12} {moving:>9,.0f} events/s raw batched {batched.per_second:>9,.0f}/s   "
            f"ratio {ratio(moving, batched.per_second)}   ({float(one['per_second_from_commit']):,.0f}/s "
            f"from the commit; raw serial {serial.per_second:,.0f}/s)"
            + ("" if one["complete"] else f"   INCOMPLETE: {one['events']:,} applied")
        )
    relay_done = float(relay["seconds_from_commit"])
    fed = [g for g in CONSUMER_GROUPS if float(figures[g]["seconds_from_commit"]) - relay_done < 1.0]
    if fed:
        say(
            f"  {', '.join(fed)} finished within 1 s of the relay's last row: the relay bounds "
            "their figures (a consumer cannot apply events faster than they are published)"
        )
    say(
        f"  raw serial loop measured on a sample of {serial.records:,} records "
        f"({serial.seconds:.1f} s); raw batched on all {batched.records:,} ({batched.seconds:.1f} s)"
    )


async def run(
    suite: Suite, events: int, *, timeout: float, serial_sample: int = SERIAL_SAMPLE
) -> dict[str, Any]:
    """Run the pipeline benchmark; print and return its figures (the samples included, for the plot)."""
    organisations = [outbox_feed.org(index) for index in range(events)]
    async with Lag(suite.bootstrap) as lag:
        base = await _baseline(suite, lag)
        say(f"\n[bench] pipeline: writing {events:,} outbox rows to identity in one transaction...")
        committed, writing = await outbox_feed.write_rows(
            suite.endpoints.database_urls["identity"], organisations
        )
        say(f"  written in {writing:.1f} s; following the relay and the inboxes (at most {timeout:.0f} s)...")
        progress = await _follow(suite, lag, committed, events, base, timeout)
        groups_lag = await lag.all()
        backlog = await _backlog(suite, lag, events, timeout)
    figures = _service_rates(progress, events)
    limits = await _raw_limits(suite, events, min(serial_sample, events))
    _print(figures, limits, events)
    _print_backlog(backlog["figures"], limits["batched"], events)
    return {
        "events": events,
        "write_seconds": writing,
        "service": figures,
        "raw": {name: figure.as_dict() for name, figure in limits.items()},
        "lag_at_end": groups_lag,
        "samples": progress.series,
        "backlog": backlog,
        "ratios": {
            "relay/raw_producer": _share(figures["relay"], limits["producer"]),
            **{f"{g}/raw_batched": _share(figures[g], limits["batched"]) for g in CONSUMER_GROUPS},
        },
    }


def _print_backlog(
    figures: dict[str, dict[str, float | int | bool]], batched: raw.RawFigure, events: int
) -> None:
    say(f"\nthe same consumers on a backlog of {events:,} events (published while they were stopped):")
    for group in CONSUMER_GROUPS:
        one = figures[group]
        moving = float(one["per_second_while_moving"])
        say(
            f"  {group:<12} {moving:>9,.0f} events/s raw batched {batched.per_second:>9,.0f}/s   "
            f"ratio {ratio(moving, batched.per_second)}   "
            f"(all applied {float(one['seconds_from_commit']):.1f} s after the resume)"
            + ("" if one["complete"] else f"   INCOMPLETE: {one['events']:,} applied")
        )


def _share(figure: dict[str, float | int | bool], limit: raw.RawFigure) -> float | None:
    value = float(figure["per_second_while_moving"])
    return value / limit.per_second if limit.per_second > 0 else None
