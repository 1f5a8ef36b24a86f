"""``./dev bench story``: the billing-mode switch driven open loop at fixed rates.

Each PUT is sent at its scheduled time and timed from then until notify has published both
EmailDelivered events of its trace on Kafka (the partner's and the client's e-mail; read on the
deliveries topic, which stays exact at rates where scanning the inbox folder would not). The pairs
(partner, client with full access, one product ordered) are made before the clock starts; a pair is
switched again once its previous PUT was answered (the e-mails of each switch carry its own trace).
"""

from __future__ import annotations

import asyncio
import collections
import secrets
import time
from dataclasses import dataclass
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

from tessera_devtools.bench import rawstory
from tessera_devtools.bench.openloop import run_open_loop, schedule, summarise
from tessera_devtools.bench.suite import Lag, Suite, say, wait_quiet
from tessera_devtools.bench.waiting import InFlight
from tessera_devtools.story import Organisation, Story
from tessera_events.kafka_binding import event_type, header
from tessera_events.notify import DELIVERIES

DELIVERED = "tessera.notify.EmailDelivered.v1"
EMAILS_PER_SWITCH = 2
DRAIN_SECONDS = 30.0
QUIET_TIMEOUT = 120.0
# Registering hashes passwords; on a busy 2-core machine a sign-up can take tens of seconds.
HTTP_TIMEOUT = 90.0
PAIR_CONCURRENCY = 4  # registering hashes passwords: CPU-bound, more at once only queues
FLIP = {"partner_pays": "client_pays", "client_pays": "partner_pays"}


@dataclass
class Pair:
    """A client managed by a partner with full access, and the billing mode it has now."""

    client: Organisation
    relationship_id: str
    mode: str = "client_pays"


async def _pair(story: Story, index: int, gate: asyncio.Semaphore) -> Pair:
    async with gate:
        partner = await story.register(f"Bench Partner {index} AG", "CH", "de")
        client = await story.register(f"Bench Client {index} SA", "FR", "fr")
        relationship = await story.grant_full_access(client, partner)
        await story.order(client, relationship["relationship_id"], "web-hosting-pro")
        return Pair(client, str(relationship["relationship_id"]))


async def make_pairs(story: Story, count: int) -> list[Pair]:
    """``count`` pairs, at most ``PAIR_CONCURRENCY`` being made at once."""
    gate = asyncio.Semaphore(PAIR_CONCURRENCY)
    return list(await asyncio.gather(*(_pair(story, index, gate) for index in range(count))))


class Deliveries:
    """Follows the deliveries topic from its end; counts each EmailDelivered against its trace id."""

    def __init__(self, bootstrap: str, flight: InFlight) -> None:
        self.consumer = AIOKafkaConsumer(
            DELIVERIES.name, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="latest"
        )
        self.flight = flight
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Join, resolve the end of every partition, then follow."""
        await self.consumer.start()
        async with asyncio.timeout(30):
            while not self.consumer.assignment():
                await asyncio.sleep(0.05)
        for partition in self.consumer.assignment():
            await self.consumer.position(partition)
        self.task = asyncio.create_task(self._follow())

    async def _follow(self) -> None:
        while True:
            batches = await self.consumer.getmany(timeout_ms=20)
            now = time.monotonic()
            for records in batches.values():
                for record in records:
                    traceparent = header(record.headers, "traceparent")
                    if traceparent and event_type(record.headers) == DELIVERED:
                        self.flight.complete(traceparent.split("-")[1], now)

    async def stop(self) -> None:
        """Stop following."""
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        await self.consumer.stop()


class Driver:
    """Sends switches on free pairs; each request's latency goes to :attr:`flight`."""

    def __init__(self, story: Story, pairs: list[Pair], deadline: float) -> None:
        self.story = story
        self.free = collections.deque(pairs)
        self.flight = InFlight()
        self.deadline = deadline
        self.no_free_pair = 0

    async def send(self, _index: int, scheduled: float) -> None:
        """Switch a free pair at once; wait (bounded) for both e-mails' deliveries."""
        if not self.free:
            self.no_free_pair += 1
            return
        pair = self.free.popleft()
        trace_id = secrets.token_hex(16)
        headers = {**pair.client.auth, "traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"}
        mode = FLIP[pair.mode]
        self.flight.expect(trace_id, scheduled, EMAILS_PER_SWITCH)
        try:
            response = await self.story.put_billing_mode(pair.client, pair.relationship_id, mode, headers)
        except Exception:
            response = None
        if response is not None and response.status_code == 200:
            pair.mode = mode
        self.free.append(pair)  # its mode is set: it may switch again while this switch's e-mails travel
        if response is None or response.status_code != 200:
            self.flight.fail(trace_id)
        else:
            await self.flight.wait(trace_id, self.deadline)


async def _lag_at_end(lag: Lag, end: float) -> dict[str, dict[str, int]]:
    await asyncio.sleep(max(0.0, end - time.monotonic()))
    at_end = await lag.all()
    await asyncio.sleep(1.0)
    return {"at_end": at_end, "one_second_after": await lag.all()}


async def _one_rate(
    suite: Suite, story: Story, pairs: list[Pair], rate: float, seconds: float
) -> dict[str, Any]:
    offsets = schedule(rate, seconds)
    quiet = await wait_quiet(suite.bootstrap, QUIET_TIMEOUT)
    if not quiet:
        say(f"    (the groups still lagged after {QUIET_TIMEOUT:.0f} s; starting anyway)")
    driver = Driver(story, pairs, time.monotonic() + seconds + DRAIN_SECONDS)
    deliveries = Deliveries(suite.bootstrap, driver.flight)
    await deliveries.start()
    try:
        async with Lag(suite.bootstrap) as lag:
            lags = asyncio.create_task(_lag_at_end(lag, time.monotonic() + seconds + 0.05))
            await run_open_loop(offsets, driver.send)
            lag_figures = await lags
    finally:
        await deliveries.stop()
    flight = driver.flight
    summary = summarise(flight.latencies_ms, flight.incomplete)
    say(f"  service {rate:>5.0f}/s: {summary.line()}")
    if flight.failed:
        say(f"    {flight.failed} of {len(offsets)} requests refused or failed")
    if driver.no_free_pair:
        say(
            f"    {driver.no_free_pair} of {len(offsets)} requests NOT SENT: all {len(pairs)} pairs had "
            "a PUT in flight (the driver's limit, not in the percentiles; raise --pairs)"
        )
    say(f"    lag at the end {lag_figures['at_end']}, 1 s after {lag_figures['one_second_after']}")
    return {
        **summary.as_dict(),
        "requests": len(offsets),
        "failed": flight.failed,
        "no_free_pair": driver.no_free_pair,
        "lag": lag_figures,
        "latencies_ms": flight.latencies_ms,
    }


async def run(suite: Suite, rates: list[float], seconds: float, *, pairs: int | None) -> dict[str, Any]:
    """The open-loop story at each rate, then the raw two-hop floor at the same rates."""
    count = pairs or max(20, min(int(max(rates)), 200))
    story = Story({name: suite.services.url(name) for name in suite.services.names}, suite.bootstrap)
    await story.http.aclose()  # the driver's own pool: an open loop must not queue in the client
    story.http = httpx.AsyncClient(timeout=HTTP_TIMEOUT, limits=httpx.Limits(max_connections=1000))
    try:
        say(f"\n[bench] story: making {count} partner-client pairs before the clock starts...")
        started = time.monotonic()
        made = await make_pairs(story, count)
        say(f"  made in {time.monotonic() - started:.1f} s")
        say(
            f"\nstory, open loop, {seconds:.0f} s per rate, latency from the scheduled PUT until both "
            "EmailDelivered events are on Kafka:"
        )
        service = {f"{rate:g}": await _one_rate(suite, story, made, rate, seconds) for rate in rates}
    finally:
        await story.close()
    floor = await rawstory.run(suite, rates, seconds)
    return {"pairs": count, "seconds": seconds, "service": service, "raw": floor}
