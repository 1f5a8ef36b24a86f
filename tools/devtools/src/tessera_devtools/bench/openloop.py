"""The pure parts of the open-loop driver: the schedule, and latencies summarised as an HDR histogram.

Open loop means every request has a scheduled send time fixed before the run starts (``i / rate``
seconds after the start), it is sent then whatever happened to earlier ones, and its latency is
measured from that scheduled time: a system that falls behind shows its queue in the figures instead
of slowing the driver down (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from hdrh.histogram import HdrHistogram  # type: ignore[import-untyped]

PERCENTILES = (50.0, 90.0, 99.0, 99.9)
LOWEST_US = 1
HIGHEST_US = 3_600_000_000  # one hour, in microseconds
SIGNIFICANT_DIGITS = 3


def schedule(rate: float, seconds: float) -> list[float]:
    """The send offsets (seconds from the start) of ``rate`` requests per second for ``seconds``."""
    if rate <= 0 or seconds <= 0:
        raise ValueError("rate and seconds must be positive")
    count = round(rate * seconds)
    return [index / rate for index in range(count)]


@dataclass(frozen=True)
class Summary:
    """Latency percentiles (milliseconds) of the completed requests, and how many did not complete."""

    count: int
    incomplete: int
    p50: float
    p90: float
    p99: float
    p999: float
    max: float
    mean: float

    def as_dict(self) -> dict[str, float | int]:
        """A JSON-ready dict."""
        return {
            "count": self.count,
            "incomplete": self.incomplete,
            "p50_ms": self.p50,
            "p90_ms": self.p90,
            "p99_ms": self.p99,
            "p99_9_ms": self.p999,
            "max_ms": self.max,
            "mean_ms": self.mean,
        }

    def line(self) -> str:
        """One printed line: ``p50 .. p90 .. p99 .. p99.9 .. max ..``."""
        text = (
            f"p50 {_ms(self.p50)}  p90 {_ms(self.p90)}  p99 {_ms(self.p99)}  "
            f"p99.9 {_ms(self.p999)}  max {_ms(self.max)}  (n={self.count}"
        )
        return text + (f", {self.incomplete} incomplete)" if self.incomplete else ")")


def _ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.1f} ms"


def histogram(latencies_ms: Sequence[float]) -> HdrHistogram:
    """An HDR histogram (microsecond resolution, 3 significant digits) of the latencies."""
    recorded = HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS)
    for latency in latencies_ms:
        recorded.record_value(min(max(round(latency * 1000), LOWEST_US), HIGHEST_US))
    return recorded


def summarise(latencies_ms: Sequence[float], incomplete: int = 0) -> Summary:
    """Percentiles of ``latencies_ms`` from an HDR histogram; zeros when nothing completed."""
    if not latencies_ms:
        return Summary(0, incomplete, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    recorded = histogram(latencies_ms)
    values = [recorded.get_value_at_percentile(p) / 1000 for p in PERCENTILES]
    return Summary(
        count=len(latencies_ms),
        incomplete=incomplete,
        p50=values[0],
        p90=values[1],
        p99=values[2],
        p999=values[3],
        max=recorded.get_max_value() / 1000,
        mean=recorded.get_mean_value() / 1000,
    )


def cdf(latencies_ms: Sequence[float]) -> tuple[list[float], list[float]]:
    """Sorted latencies and their cumulative fractions (for plotting)."""
    ordered = sorted(latencies_ms)
    count = len(ordered)
    return ordered, [(index + 1) / count for index in range(count)]


Send = Callable[[int, float], Coroutine[Any, Any, None]]


async def run_open_loop(
    offsets: Sequence[float], send: Send, *, clock: Callable[[], float] = time.monotonic
) -> float:
    """Call ``send(index, scheduled_at)`` at each scheduled time without waiting for earlier sends.

    ``scheduled_at`` is on ``clock``'s scale. Returns the start time. Every send runs as its own task;
    this returns once all of them have returned (each send must bound its own time).
    """
    start = clock() + 0.05
    tasks: list[asyncio.Task[None]] = []
    for index, offset in enumerate(offsets):
        due = start + offset
        delay = due - clock()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(index, due)))
    await asyncio.gather(*tasks, return_exceptions=True)
    return start
