"""The pure parts of ``./dev bench``: the open-loop schedule, the histogram summary, in-flight requests."""

import asyncio
import time

import pytest

from tessera_devtools.bench.openloop import cdf, run_open_loop, schedule, summarise
from tessera_devtools.bench.pipeline import Progress
from tessera_devtools.bench.renewal_day import Sample, _settled, population
from tessera_devtools.bench.waiting import InFlight


def test_a_schedule_spaces_requests_evenly_from_the_start() -> None:
    assert schedule(4, 1) == [0.0, 0.25, 0.5, 0.75]
    assert len(schedule(200, 60)) == 12_000


def test_a_schedule_needs_a_positive_rate_and_duration() -> None:
    with pytest.raises(ValueError, match="positive"):
        schedule(0, 10)


def test_the_summary_reads_percentiles_from_the_histogram_within_its_precision() -> None:
    summary = summarise([float(value) for value in range(1, 1001)], incomplete=3)

    assert summary.count == 1000
    assert summary.incomplete == 3
    assert summary.p50 == pytest.approx(500, rel=0.002)
    assert summary.p99 == pytest.approx(990, rel=0.002)
    assert summary.p999 == pytest.approx(999, rel=0.002)
    assert summary.max == pytest.approx(1000, rel=0.002)
    assert "3 incomplete" in summary.line()


def test_an_empty_run_summarises_to_zeros() -> None:
    assert summarise([], incomplete=5).as_dict()["incomplete"] == 5
    assert summarise([]).p99 == 0.0


def test_the_cdf_is_sorted_and_ends_at_one() -> None:
    xs, ys = cdf([3.0, 1.0, 2.0])
    assert xs == [1.0, 2.0, 3.0]
    assert ys[-1] == 1.0


async def test_the_open_loop_sends_on_schedule_even_when_earlier_sends_are_slow() -> None:
    sent: list[float] = []

    async def slow_send(_index: int, scheduled: float) -> None:
        sent.append(time.monotonic() - scheduled)
        await asyncio.sleep(0.3)  # far slower than the 20 ms between sends

    started = time.monotonic()
    await run_open_loop(schedule(50, 0.2), slow_send)

    assert len(sent) == 10
    assert max(sent) < 0.05  # every send went out at (about) its scheduled time
    assert time.monotonic() - started < 0.8  # the sends overlapped instead of queueing


async def test_a_request_completes_after_its_last_expected_completion() -> None:
    flight = InFlight()
    flight.expect("a", scheduled=10.0, needed=2)
    flight.complete("a", at=10.1)
    flight.complete("unknown", at=10.2)
    assert flight.latencies_ms == []
    flight.complete("a", at=10.5)

    assert await flight.wait("a", deadline=time.monotonic() + 1)
    assert flight.latencies_ms == [pytest.approx(500)]


async def test_a_request_that_misses_its_deadline_counts_as_incomplete() -> None:
    flight = InFlight()
    flight.expect("a", scheduled=time.monotonic(), needed=1)

    assert not await flight.wait("a", deadline=time.monotonic() + 0.01)
    assert flight.incomplete == 1
    assert flight.latencies_ms == []


def test_progress_notes_when_a_series_first_moves_and_when_it_is_done() -> None:
    progress = Progress()
    for at, count in ((0.0, 0), (1.0, 5), (2.0, 10), (3.0, 10)):
        progress.add("billing", at, count, target=10)

    assert progress.first_at["billing"] == 1.0
    assert progress.done_at["billing"] == 2.0
    assert progress.last("billing") == 10


def test_the_renewal_population_puts_half_the_clients_under_partner_pays() -> None:
    people = population(1000)

    assert len(people.clients) == 100
    assert len(people.managed) == 50
    assert len(people.partners) == 5


def test_a_renewal_day_is_settled_only_when_all_renewed_and_quiet() -> None:
    quiet = {"billing": 0, "notify": 0}
    busy = [Sample(float(i), 10, 10, 20, {"billing": 0, "notify": 3}) for i in range(3)]
    done = [Sample(float(i), 10, 10, 20, quiet) for i in range(3)]
    short = [Sample(float(i), 9, 9, 20, quiet) for i in range(3)]

    assert not _settled(busy, 10)
    assert not _settled(short, 10)
    assert _settled(done, 10)


def test_throughput_is_plotted_over_windows_of_a_second() -> None:
    from tessera_devtools.bench.plot import windowed_rates

    points = [[0.0, 0.0], [0.5, 50.0], [1.0, 100.0], [1.5, 100.0], [2.0, 300.0]]

    assert windowed_rates(points) == [(1.0, 100.0), (2.0, 200.0)]


def test_the_broker_keeps_its_fast_start_flags_unless_a_production_jvm_is_asked_for() -> None:
    from tessera_devtools.kafka import JVM_OPTIONS, jvm_options

    production = jvm_options({"TESSERA_KAFKA_JVM": "production"})

    assert jvm_options({}) == JVM_OPTIONS
    assert "-XX:TieredStopAtLevel=1" in JVM_OPTIONS
    assert "-XX:+UseG1GC" in production
    assert not any(flag.startswith("-XX:TieredStopAtLevel") for flag in production)
