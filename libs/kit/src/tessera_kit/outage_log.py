"""One log line per outage, not one per failed attempt: repeated connection errors, aggregated.

During an outage every retry loop (relay, consumers, jobs, HTTP requests) fails again and again with
the same error; logging each failure buried the first one under thousands of identical lines. An
:class:`OutageLog` logs the first failure of a streak at WARNING, then at most one summary line per
``summary_every_seconds`` with the count, and one line when the dependency answers again, with how
long it was gone::

    outages = OutageLog()
    try:
        await relay_batch()
    except Exception as error:
        if not is_transient_outage(error):
            raise
        outages.note_failure("database", error)
    else:
        outages.note_recovery("database")

A ``kind`` is the caller's name for what is down (``"database"``, ``"kafka"``, ``"smtp"``...); streaks
of different kinds are counted apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog

from tessera_kit.outages import describe_outage

_log = structlog.get_logger(__name__)


@dataclass
class OutageStreak:
    """Consecutive failures of one kind, from the first until the dependency answers again."""

    kind: str
    started_at: float
    first_error: str
    last_error: str
    failures: int = 1
    last_failure_at: float = 0.0
    logged_at: float = 0.0
    failures_when_logged: int = 1


class OutageLog:
    """Aggregates repeated failures of a dependency into a few log lines per outage.

    ``forget_after_seconds``: a streak with no failure for that long is over even if nobody called
    :meth:`note_recovery` (an HTTP route fails only while requests come), so the next failure is
    reported as a new outage instead of as the 500th failure of an old one.
    """

    def __init__(
        self,
        logger: Any = None,
        *,
        summary_every_seconds: float = 60.0,
        forget_after_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = logger if logger is not None else _log
        self._summary_every = summary_every_seconds
        self._forget_after = forget_after_seconds
        self._clock = clock
        self._streaks: dict[str, OutageStreak] = {}

    def note_failure(self, kind: str, error: BaseException, **context: Any) -> None:
        """Count a failure; logs only the first of a streak and a periodic summary."""
        now = self._clock()
        described = _describe(error)
        streak = self._streaks.get(kind)
        if streak is not None and now - streak.last_failure_at > self._forget_after:
            streak = None
        if streak is None:
            self._streaks[kind] = OutageStreak(
                kind, now, described, described, last_failure_at=now, logged_at=now
            )
            self._log.warning("dependency unavailable", kind=kind, error=described, **context)
            return
        streak.failures += 1
        streak.last_error = described
        streak.last_failure_at = now
        if now - streak.logged_at >= self._summary_every:
            self._log.warning(
                "dependency still unavailable",
                kind=kind,
                error=described,
                failures=streak.failures,
                failures_since_last_line=streak.failures - streak.failures_when_logged,
                down_for_seconds=round(now - streak.started_at, 1),
                **context,
            )
            streak.logged_at, streak.failures_when_logged = now, streak.failures

    def note_recovery(self, kind: str, **context: Any) -> None:
        """The dependency answered: end its streak with one line (nothing when there was none)."""
        streak = self._streaks.pop(kind, None)
        if streak is None:
            return
        self._log.info(
            "dependency recovered",
            kind=kind,
            down_for_seconds=round(self._clock() - streak.started_at, 1),
            failures=streak.failures,
            first_error=streak.first_error,
            **context,
        )

    def current(self) -> dict[str, OutageStreak]:
        """The streaks still open (failed recently, not recovered), by kind."""
        now = self._clock()
        return {
            kind: streak
            for kind, streak in self._streaks.items()
            if now - streak.last_failure_at <= self._forget_after
        }

    def is_down(self, kind: str) -> bool:
        """Whether ``kind`` failed recently and has not recovered since."""
        return kind in self.current()


def _describe(error: BaseException) -> str:
    # describe_outage names the SQLSTATE or error class (stable, for grouping); the message says more.
    message = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    name = describe_outage(error)
    return f"{name}: {message}" if message else name
