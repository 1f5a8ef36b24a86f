"""The PNG next to the JSON: latency CDF per rate, and events/s over time per consumer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tessera_devtools.bench.openloop import cdf


def draw(sections: dict[str, Any], path: Path) -> Path | None:
    """Draw what the sections hold (story latencies, pipeline samples); None when there is nothing."""
    panels = [name for name in ("story", "pipeline", "renewal_day") if name in sections]
    if not panels:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(len(panels), 1, figsize=(10, 4.5 * len(panels)), squeeze=False)
    for axis, name in zip(axes[:, 0], panels, strict=True):
        if name == "story":
            _latency_cdf(axis, sections["story"])
        else:
            _throughput(axis, sections[name].get("samples", {}), name)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def _latency_cdf(axis: Any, story: dict[str, Any]) -> None:
    for kind, runs in (("service", story.get("service", {})), ("raw floor", story.get("raw", {}))):
        for rate, figures in runs.items():
            latencies = figures.get("latencies_ms", [])
            if latencies:
                xs, ys = cdf(latencies)
                axis.plot(xs, ys, label=f"{kind} {rate}/s", linestyle="-" if kind == "service" else "--")
    axis.set_xscale("log")
    axis.set_xlabel("latency from the scheduled send (ms, log)")
    axis.set_ylabel("fraction of requests")
    axis.set_title("story, open loop: latency CDF per rate")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize="small")


def windowed_rates(points: list[list[float]], window: float = 1.0) -> list[tuple[float, float]]:
    """Events/s over windows of at least ``window`` seconds, from cumulative (time, count) samples."""
    rates: list[tuple[float, float]] = []
    if not points:
        return rates
    anchor_time, anchor_count = points[0]
    for at, count in points[1:]:
        if at - anchor_time >= window:
            rates.append((at, (count - anchor_count) / (at - anchor_time)))
            anchor_time, anchor_count = at, count
    return rates


def _throughput(axis: Any, samples: dict[str, list[list[float]]], name: str) -> None:
    for series, points in samples.items():
        rates = windowed_rates(points)
        if rates:
            axis.plot([t for t, _ in rates], [r for _, r in rates], label=series)
    axis.set_xlabel("seconds")
    axis.set_ylabel("events/s (1 s windows)")
    axis.set_title(f"{name}: per second over time (1 s windows)")
    axis.grid(True, alpha=0.3)
    axis.legend(fontsize="small")
