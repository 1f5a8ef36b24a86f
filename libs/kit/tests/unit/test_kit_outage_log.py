"""Repeated connection errors become one line per outage, a periodic count and a recovery line."""

import logging
from typing import Any

from tessera_kit.outage_log import OutageLog
from tessera_kit.telemetry import SUPPRESSED_FIELD, RepeatedLogFilter


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class RecordingLogger:
    """Keeps every line it is asked to log."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str, dict[str, Any]]] = []

    def warning(self, event: str, **fields: Any) -> None:
        self.lines.append(("warning", event, fields))

    def info(self, event: str, **fields: Any) -> None:
        self.lines.append(("info", event, fields))


def refused() -> ConnectionRefusedError:
    return ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")


def outage_log(clock: Clock, logger: RecordingLogger) -> OutageLog:
    return OutageLog(logger, summary_every_seconds=60, forget_after_seconds=300, clock=clock)


def test_the_first_failure_of_an_outage_is_logged_and_the_repeats_are_not() -> None:
    clock, logger = Clock(), RecordingLogger()
    outages = outage_log(clock, logger)
    for _ in range(1000):
        outages.note_failure("database", refused())
        clock.now += 0.01
    assert [(level, event) for level, event, _ in logger.lines] == [("warning", "dependency unavailable")]
    assert logger.lines[0][2]["kind"] == "database"
    assert "ConnectionRefusedError" in logger.lines[0][2]["error"]
    assert outages.is_down("database")


def test_a_long_outage_gets_one_summary_line_per_interval_with_the_count() -> None:
    clock, logger = Clock(), RecordingLogger()
    outages = outage_log(clock, logger)
    for _ in range(150):  # one failure a second for 150 s
        outages.note_failure("database", refused())
        clock.now += 1
    summaries = [fields for _, event, fields in logger.lines if event == "dependency still unavailable"]
    assert len(summaries) == 2
    assert summaries[0]["failures"] == 61
    assert summaries[0]["failures_since_last_line"] == 60
    assert summaries[0]["down_for_seconds"] == 60.0
    assert summaries[1]["failures"] == 121


def test_recovery_is_one_line_with_how_long_and_how_many_and_ends_the_streak() -> None:
    clock, logger = Clock(), RecordingLogger()
    outages = outage_log(clock, logger)
    for _ in range(12):
        outages.note_failure("database", refused())
        clock.now += 1
    outages.note_recovery("database")
    outages.note_recovery("database")  # nothing more: the streak is over
    level, event, fields = logger.lines[-1]
    assert (level, event) == ("info", "dependency recovered")
    assert fields["down_for_seconds"] == 12.0
    assert fields["failures"] == 12
    assert len(logger.lines) == 2
    assert not outages.is_down("database")


def test_a_recovery_without_a_failure_logs_nothing() -> None:
    logger = RecordingLogger()
    OutageLog(logger).note_recovery("kafka")
    assert logger.lines == []


def test_kinds_are_counted_apart() -> None:
    clock, logger = Clock(), RecordingLogger()
    outages = outage_log(clock, logger)
    outages.note_failure("database", refused())
    outages.note_failure("kafka", refused())
    outages.note_failure("database", refused())
    assert [fields["kind"] for _, _, fields in logger.lines] == ["database", "kafka"]
    assert set(outages.current()) == {"database", "kafka"}


def test_a_failure_long_after_the_last_one_is_a_new_outage() -> None:
    clock, logger = Clock(), RecordingLogger()
    outages = outage_log(clock, logger)
    outages.note_failure("database", refused())
    clock.now += 301
    assert not outages.is_down("database")
    outages.note_failure("database", refused())
    assert [event for _, event, _ in logger.lines] == ["dependency unavailable", "dependency unavailable"]


def record(
    name: str = "aiokafka.client", message: str = "Unable connect to node with id %s: %s"
) -> logging.LogRecord:
    return logging.LogRecord(name, logging.ERROR, __file__, 1, message, (1, "refused"), None)


def test_aiokafka_s_repeated_line_shows_once_then_once_per_interval_with_the_count_held_back() -> None:
    clock = Clock()
    repeated = RepeatedLogFilter(("aiokafka",), every_seconds=60, forget_after_seconds=300, clock=clock)
    passed = []
    for _ in range(130):  # two a second for 65 s
        line = record()
        if repeated.filter(line):
            passed.append(line)
        clock.now += 0.5
    assert len(passed) == 2
    assert not hasattr(passed[0], SUPPRESSED_FIELD)
    assert getattr(passed[1], SUPPRESSED_FIELD) == 119


def test_different_lines_and_other_loggers_are_not_held_back() -> None:
    repeated = RepeatedLogFilter(("aiokafka",), clock=Clock())
    assert repeated.filter(record())
    assert repeated.filter(record(message="Unable to update metadata from %s"))
    assert repeated.filter(record(name="tessera_kit.relay"))
    assert repeated.filter(record(name="tessera_kit.relay"))


def test_the_first_line_of_the_next_outage_shows() -> None:
    clock = Clock()
    repeated = RepeatedLogFilter(("aiokafka",), every_seconds=60, forget_after_seconds=300, clock=clock)
    assert repeated.filter(record())
    clock.now += 10
    assert not repeated.filter(record())
    clock.now += 400
    assert repeated.filter(record())
