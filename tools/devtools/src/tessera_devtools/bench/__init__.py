"""``./dev bench [pipeline|story|renewal-day|memory] [options]``: figures printed, never asserted.

Every benchmark starts its own suite (Kafka with a production JVM, PostgreSQL, stripe-mock, the SMTP
inbox and the five services), prints each figure next to the raw limit measured in the same run on
the same broker and database, and writes JSON and a PNG under ``.local/bench/``. Without a command,
a short form of all of them runs (see :data:`SHORT`), in about a quarter of an hour on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from typing import Any

from tessera_devtools.bench.suite import Report, Suite, memory, say, start_suite, stop_suite

COMMANDS = ("pipeline", "story", "renewal-day", "memory", "all")
# The short form of everything (``./dev bench`` alone): smaller counts, shorter rates.
SHORT: dict[str, Any] = {
    "events": 5000,
    "serial_sample": 1000,
    "pipeline_timeout": 240.0,
    "rates": [10.0, 50.0, 200.0],
    "seconds": 10.0,
    "pairs": 60,
    "subscriptions": 2000,
    "renewal_timeout": 240.0,
}
MEMORY_STORY_RATES = [10.0, 50.0]


def parser() -> argparse.ArgumentParser:
    """The options of ``./dev bench``."""
    options = argparse.ArgumentParser(prog="./dev bench", description=__doc__)
    options.add_argument("command", nargs="?", default="all", choices=COMMANDS)
    options.add_argument("--events", type=int, default=100_000, help="pipeline: events (default 100,000)")
    options.add_argument("--serial-sample", type=int, default=3000, help="pipeline: raw serial sample")
    options.add_argument("--timeout", type=float, default=None, help="pipeline/renewal-day: bound (s)")
    options.add_argument(
        "--rates", type=str, default="10,50,200", help="story: stories/s, comma separated (default 10,50,200)"
    )
    options.add_argument("--seconds", type=float, default=60.0, help="story: seconds per rate (default 60)")
    options.add_argument("--pairs", type=int, default=None, help="story: partner-client pairs made first")
    options.add_argument(
        "--subscriptions", type=int, default=100_000, help="renewal-day: subscriptions (default 100,000)"
    )
    return options


def main(argv: Sequence[str]) -> int:
    """Parse the options, start the suite, run the benchmark(s), write the report, stop the suite."""
    args = parser().parse_args(list(argv))
    report = Report(args.command)
    suite = start_suite()
    code = 0
    try:
        say(f"\n[bench] {suite.jvm_note()}; PostgreSQL with fsync=off, synchronous_commit=off (local)")
        report.add("environment", {"kafka_jvm": suite.jvm_note(), "provider": suite.provider.name})
        asyncio.run(_run(args, suite, report))
    except Exception as error:  # a benchmark that breaks still reports what it measured so far
        say(f"\n[bench] the benchmark broke: {type(error).__name__}: {error}")
        say(f"  service logs: {suite.services.layout.logs}")
        report.add("error", f"{type(error).__name__}: {error}")
        code = 1
    finally:
        stop_suite(suite)
        _write(report)
    return code


def _write(report: Report) -> None:
    from tessera_devtools.bench import plot

    path = report.write()
    picture = plot.draw(report.sections, path.with_suffix(".png"))
    say(f"\n[bench] figures written to {path}" + (f" and {picture}" if picture else ""))


async def _run(args: argparse.Namespace, suite: Suite, report: Report) -> None:
    short = args.command == "all"
    idle = memory(suite.services)
    report.add("memory_idle_mib", idle)
    if args.command in ("pipeline", "all"):
        await _pipeline(args, suite, report, short)
    if args.command in ("story", "all", "memory"):
        await _story(args, suite, report, short)
    if args.command in ("story", "memory", "all"):
        _memory(report, idle, memory(suite.services))
    if args.command in ("renewal-day", "all"):
        await _renewal(args, suite, report, short)


async def _pipeline(args: argparse.Namespace, suite: Suite, report: Report, short: bool) -> None:
    from tessera_devtools.bench import pipeline

    events = SHORT["events"] if short else args.events
    sample = SHORT["serial_sample"] if short else args.serial_sample
    timeout = args.timeout or (SHORT["pipeline_timeout"] if short else max(300.0, events / 50))
    report.add("pipeline", await pipeline.run(suite, events, timeout=timeout, serial_sample=sample))


async def _story(args: argparse.Namespace, suite: Suite, report: Report, short: bool) -> None:
    from tessera_devtools.bench import story as story_bench

    rates = [float(rate) for rate in args.rates.split(",")]
    seconds = args.seconds
    if short:
        rates, seconds = SHORT["rates"], SHORT["seconds"]
    elif args.command == "memory":  # a short story, for the memory it leaves behind
        rates, seconds = MEMORY_STORY_RATES, SHORT["seconds"]
    pairs = args.pairs or (SHORT["pairs"] if short or args.command == "memory" else None)
    report.add("story", await story_bench.run(suite, rates, seconds, pairs=pairs))


async def _renewal(args: argparse.Namespace, suite: Suite, report: Report, short: bool) -> None:
    from tessera_devtools.bench import renewal_day as renewal_bench

    count = SHORT["subscriptions"] if short else args.subscriptions
    timeout = args.timeout or (SHORT["renewal_timeout"] if short else 900.0)
    report.add("renewal_day", await renewal_bench.run(suite, count, timeout=timeout))


def _memory(report: Report, idle: dict[str, float | None], after: dict[str, float | None]) -> None:
    say("\nresident memory per service (MiB): idle -> after the story")
    for name, value in idle.items():
        later = after.get(name)
        say(f"  {name:<12} {_mib(value):>7} -> {_mib(later):>7}")
    report.add("memory_mib", {"idle": idle, "after_story": after})


def _mib(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f}"
