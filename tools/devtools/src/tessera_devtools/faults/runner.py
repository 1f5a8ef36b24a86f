"""``./dev faults [SCENARIO ...]``: start the suite, run the scenarios, print the table.

Exit status 1 when any scenario lost or duplicated anything (or could not run), else 0.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tessera_devtools.faults import control
from tessera_devtools.faults.audit import (
    Auditor,
    Snapshot,
    Verdict,
    missing_details,
    missing_events,
    relay_lag,
    settled,
    verdict,
)
from tessera_devtools.faults.cluster import CLUSTER_SCENARIO, move_to_cluster
from tessera_devtools.faults.load import Load, Tally
from tessera_devtools.faults.scenarios import SCENARIOS, Context, Scenario
from tessera_devtools.faults.topiclog import TopicLog
from tessera_devtools.infra import suite_topics

ALL: tuple[Scenario, ...] = (*SCENARIOS, CLUSTER_SCENARIO)
SUITE_BUDGET_SECONDS = 30 * 60.0
PAIRS = 2
WARM_UP_SECONDS = 6.0


@dataclass
class Result:
    """One row of the table."""

    name: str
    events: int = 0
    lost: int = 0
    duplicated: int = 0
    out_of_order: int = 0
    recovery: float | None = None
    notes: list[str] = field(default_factory=list)
    failed: bool = False
    observed: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Nothing lost, nothing duplicated, and it ran."""
        return not self.failed and self.lost == 0 and self.duplicated == 0


def _first_line(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"[:160]


def _details(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n}" for name, n in counts.items() if n)


def table(results: Sequence[Result]) -> str:
    """The printed table: scenario | events | lost | duplicated | out-of-order | recovery | notes."""
    header = ("scenario", "events", "lost", "duplicated", "out-of-order", "recovery", "notes")
    rows = [
        (
            r.name,
            str(r.events),
            str(r.lost),
            str(r.duplicated),
            str(r.out_of_order),
            "n/a" if r.recovery is None else f"{r.recovery:.1f} s",
            "; ".join(r.notes),
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]

    def line(row: Sequence[str]) -> str:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        return "| " + " | ".join([*cells, row[-1]]) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|---|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


class Campaign:
    """The suite, its topic log and auditor, and the scenarios' results."""

    def __init__(self, suite: control.Suite) -> None:
        self.suite = suite
        partitions = {topic.name: topic.partitions for topic in suite_topics()}
        bootstrap = suite.cluster.bootstrap if suite.cluster else suite.endpoints.kafka_bootstrap
        self.topics = TopicLog(bootstrap, partitions)
        self.auditor = Auditor(suite.endpoints.database_urls, self.topics, self._maildir())
        self._settled: Snapshot | None = None

    def _maildir(self) -> Path:
        maildir = self.suite.endpoints.maildir
        if maildir is None:
            raise ValueError("the fault suite needs the local SMTP inbox's maildir")
        return maildir

    async def warm_up(self) -> None:
        """A little load first, so every consumer has applied each kind of event once."""
        load = Load(self.suite.urls, self.suite.endpoints.kafka_bootstrap)
        try:
            pairs = [await load.pair(i) for i in range(PAIRS)]
            await load.run(pairs, WARM_UP_SECONDS, 2.0, 3.0)
        finally:
            await load.close()
        await asyncio.sleep(5.0)

    async def run(self, scenario: Scenario) -> Result:
        """Run one scenario within its time limit and audit what it left."""
        control.note(f"scenario {scenario.name}: {scenario.summary}")
        result = Result(scenario.name)
        started = time.monotonic()
        try:
            window = await self.auditor.open_window()
        except Exception as error:
            result.failed = True
            result.notes.append(f"could not start: {_first_line(error)}")
            await self._heal(result)
            return result
        ctx = Context(self.suite, self.topics, self.auditor, window, asyncio.Event())
        load = Load(self.suite.urls, self.suite.endpoints.kafka_bootstrap)
        try:
            async with asyncio.timeout(scenario.limit):
                window.pairs = [await load.pair(i) for i in range(PAIRS)]
                load_task = asyncio.create_task(self._load(load, scenario, ctx), name="faults-load")
                await asyncio.sleep(scenario.lead)
                await scenario.fault(ctx)
                result.recovery = await self._recover(ctx, load_task)
        except TimeoutError:
            result.notes.append(f"time limit {scenario.limit:.0f} s reached")
        except Exception as error:
            result.failed = True
            result.notes.append(f"error: {_first_line(error)}")
        finally:
            for task in asyncio.all_tasks():
                if task.get_name().startswith("faults-load"):
                    task.cancel()
            await load.close()
            await asyncio.to_thread(self.suite.remove_replicas)
        await self._heal(result)
        await self._judge(ctx, result)
        recovery = "n/a" if result.recovery is None else f"{result.recovery:.1f} s"
        control.note(
            f"scenario {scenario.name}: {result.events} events, lost {result.lost}, duplicated "
            f"{result.duplicated}, recovery {recovery} ({time.monotonic() - started:.0f} s); "
            + "; ".join(result.notes)
        )
        return result

    async def _heal(self, result: Result) -> None:
        try:
            healed = await asyncio.to_thread(self.suite.heal)
        except Exception as error:
            healed = [f"failed: {_first_line(error)}"]
        if healed:
            result.notes.append("had to heal " + ", ".join(healed))

    async def _load(self, load: Load, scenario: Scenario, ctx: Context) -> Tally:
        tally = await load.run(ctx.window.pairs, scenario.load_seconds, scenario.rate, scenario.switch_every)
        ctx.window.registered = set(tally.registered) | set(ctx.registered)
        ctx.window.switches = tally.switches
        ctx.load_done.set()
        if tally.refused:
            ctx.notes.append(f"{tally.refused} requests refused")
        return tally

    async def _recover(self, ctx: Context, load_task: asyncio.Task[Tally]) -> float | None:
        """Seconds from the fault's end until every event committed before it was applied everywhere;
        then wait until nothing at all is missing."""
        recovered: float | None = None
        while True:
            snap = await self.auditor.snapshot(ctx.window)
            if (
                recovered is None
                and not snap.errors
                and missing_events(ctx.window, snap, self.topics, cutoff=ctx.healed_at) == 0
            ):
                recovered = max(0.0, time.time() - ctx.healed_at)
            ctx.window.registered |= set(ctx.registered)
            finished = load_task.done() and all(task.done() for task in ctx.background)
            if finished and settled(ctx.window, snap, self.topics):
                self._settled = snap
                return recovered
            await asyncio.sleep(1.0)

    async def _judge(self, ctx: Context, result: Result) -> None:
        # The snapshot in which nothing was missing, if there was one: a later one may hold rows
        # committed since (e.g. an EmailDelivered) that a relay has not published yet.
        snap = self._settled or await self.auditor.snapshot(ctx.window)
        self._settled = None
        found: Verdict = verdict(ctx.window, snap, self.topics)
        result.events = found.events
        result.lost = found.lost_total
        result.duplicated = found.duplicated_total + sum(ctx.extra_duplicates.values())
        result.out_of_order = found.out_of_order
        if found.lost_total:
            result.notes.append("lost: " + _details(found.lost))
            report = self.suite.services.layout.log(f"faults-{result.name}-lost").with_suffix(".json")
            report.write_text(json.dumps(missing_details(ctx.window, snap, self.topics), indent=1))
            result.notes.append(f"see {report}")
        if result.duplicated:
            result.notes.append("duplicated: " + _details({**found.duplicated, **ctx.extra_duplicates}))
        window_ids = {row.event_id for row in snap.outbox}
        dead = self.topics.dead_letters(ctx.window.started_at)
        valid_dead = [d for d in dead if d.event_id in window_ids]
        poison_dead = [d for d in dead if d.key in ctx.expected_dead_letters]
        if valid_dead:
            result.notes.append(f"{len(valid_dead)} valid records dead-lettered")
        if ctx.expected_dead_letters:
            groups = len(control.CONSUMERS)
            result.notes.append(f"{len(poison_dead)} poison dead letters over {groups} groups")
        since = ctx.relay_probe_from or ctx.healed_at + 1.0
        lag = relay_lag(snap, since) if ctx.healed_at else None
        if lag is not None:
            ctx.observed["relay_p50_ms"] = round(lag * 1000)
            result.notes.append(f"relay p50 after heal {lag * 1000:.0f} ms")
        result.notes.extend(ctx.notes)
        result.observed = dict(ctx.observed)
        if snap.errors:
            result.failed = True
            result.notes.append("audit: " + snap.errors[0].splitlines()[0][:160])

    async def start(self) -> None:
        """Start the topic log."""
        await self.topics.start()

    async def stop(self) -> None:
        """Stop the topic log."""
        await self.topics.stop()


async def _run_all(suite: control.Suite, scenarios: Sequence[Scenario], budget_end: float) -> list[Result]:
    results: list[Result] = []
    campaign = Campaign(suite)
    await campaign.start()
    try:
        await campaign.warm_up()
        for scenario in scenarios:
            if scenario.cluster and suite.cluster is None:
                await campaign.stop()
                try:
                    await asyncio.to_thread(move_to_cluster, suite)
                    campaign = Campaign(suite)
                    await campaign.start()
                    await campaign.warm_up()
                except Exception as error:
                    failure = f"cluster did not start: {_first_line(error)}"
                    results.append(Result(scenario.name, failed=True, notes=[failure]))
                    break
            if time.monotonic() > budget_end:
                results.append(Result(scenario.name, failed=True, notes=["skipped: suite time budget spent"]))
                continue
            results.append(await campaign.run(scenario))
    finally:
        await campaign.stop()
    return results


def select(names: Sequence[str]) -> list[Scenario]:
    """The scenarios named (all when none), in the suite's order; ValueError for an unknown name."""
    known = {scenario.name: scenario for scenario in ALL}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return [scenario for scenario in ALL if not names or scenario.name in names]


def main(names: Sequence[str]) -> int:
    """Run the scenarios against a fresh local suite; print the table; 1 if anything was lost or doubled."""
    scenarios = select(names)
    # The suite's own Kafka clients see every fault too; their complaints are expected, not news.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    started = time.monotonic()
    suite = control.start_suite()
    results: list[Result] = []
    try:
        results = asyncio.run(_run_all(suite, scenarios, started + SUITE_BUDGET_SECONDS))
    finally:
        suite.stop()
    print(f"\n./dev faults: {len(results)} scenario(s) in {time.monotonic() - started:.0f} s\n")
    print(table(results), flush=True)
    return 0 if results and all(result.ok for result in results) else 1
