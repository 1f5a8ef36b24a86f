"""The named scenarios: each is a fault, injected under load, that ends when the fault is healed.

A fault function records the instant it healed (``ctx.healed_at``) and what it observed
(``ctx.notes``); the runner measures recovery from that instant.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tessera_devtools.faults import control
from tessera_devtools.faults.audit import ORGANISATION_REGISTERED, Auditor, Window
from tessera_devtools.faults.control import CONSUMERS, Suite
from tessera_devtools.faults.topiclog import TopicLog

SESSION_TIMEOUT_SECONDS = 10.0  # aiokafka's default session.timeout.ms, which the kit keeps
RECOVERY_HOLD_SECONDS = 15.0
BACKLOG_SECONDS = 6.0
ORGANISATIONS_TOPIC = "tessera.identity.organisations.v1"
_RECOVERY_LOG = re.compile(rb"57P03|not accepting connections|is starting up|CannotConnectNow")


@dataclass
class Context:
    """What a fault function may use and report."""

    suite: Suite
    topics: TopicLog
    auditor: Auditor
    window: Window
    load_done: asyncio.Event
    healed_at: float = 0.0
    notes: list[str] = field(default_factory=list)
    extra_duplicates: dict[str, int] = field(default_factory=dict)
    expected_dead_letters: set[str] = field(default_factory=set)
    observed: dict[str, int] = field(default_factory=dict)
    registered: list[str] = field(default_factory=list)
    relay_probe_from: float = 0.0
    background: list[asyncio.Task[None]] = field(default_factory=list)

    def healed(self) -> None:
        """Mark the instant the fault ended."""
        self.healed_at = time.time()


Fault = Callable[[Context], Awaitable[None]]


@dataclass(frozen=True)
class Scenario:
    """One named fault, its load and its time limit."""

    name: str
    summary: str
    fault: Fault
    load_seconds: float = 24.0
    rate: float = 2.5
    switch_every: float = 5.0
    lead: float = 4.0
    limit: float = 150.0
    cluster: bool = False


async def _blocking(function: Callable[[], object]) -> None:
    await asyncio.to_thread(function)


async def probe_relays(ctx: Context, count: int = 6) -> None:
    """A few registrations 3 s after the fault, 0.5 s apart: their commit-to-publish time tells
    whether the relays wake on commit again (defect B) or only on their sweep."""
    from tessera_devtools.faults.load import Load, Tally

    await asyncio.sleep(3.0)
    ctx.relay_probe_from = time.time()
    load, tally = Load(ctx.suite.urls, ctx.suite.endpoints.kafka_bootstrap), Tally()
    try:
        for index in range(count):
            await load.register_one(10_000 + index, time.monotonic() + 20.0, tally)
            await asyncio.sleep(0.5)
    finally:
        await load.close()
    ctx.registered.extend(tally.registered)


async def consumer_kill(ctx: Context) -> None:
    """kill -9 billing and notify under load, then start them again."""
    for name in ("billing", "notify"):
        await _blocking(lambda name=name: ctx.suite.services.kill(name))  # type: ignore[misc]
    ctx.healed()
    for name in ("billing", "notify"):
        await _blocking(lambda name=name: ctx.suite.services.restart(name))  # type: ignore[misc]


async def sigstop_replica(ctx: Context) -> None:
    """Two replicas of billing and notify; SIGSTOP the first ones past the session timeout."""
    for name in ("billing", "notify"):
        await _blocking(lambda name=name: ctx.suite.add_replica(name))  # type: ignore[misc]
    await asyncio.sleep(3.0)
    stopped = [ctx.suite.services.processes[name] for name in ("billing", "notify")]
    for process in stopped:
        ctx.suite.pause(process)
    await asyncio.sleep(SESSION_TIMEOUT_SECONDS + 8.0)
    for process in stopped:
        ctx.suite.resume(process)
    ctx.healed()
    ctx.notes.append(f"stopped {SESSION_TIMEOUT_SECONDS + 8.0:.0f} s")


async def broker_kill(ctx: Context) -> None:
    """SIGKILL the Kafka broker, restart it on its data folder after 5 s."""
    await _blocking(lambda: ctx.suite.down("kafka", signal.SIGKILL))
    await asyncio.sleep(5.0)
    await _blocking(lambda: ctx.suite.up("kafka"))
    ctx.healed()


async def postgres_fast_stop(ctx: Context) -> None:
    """PostgreSQL fast shutdown (SIGINT), started again after 8 s."""
    await _blocking(lambda: ctx.suite.down("postgres", signal.SIGINT))
    await asyncio.sleep(8.0)
    await _blocking(lambda: ctx.suite.up("postgres"))
    ctx.healed()
    ctx.background.append(asyncio.create_task(probe_relays(ctx)))


def _log_sizes(suite: Suite) -> dict[str, int]:
    return {name: suite.services.log_path(name).stat().st_size for name in suite.services.names}


def _services_that_saw_recovery(suite: Suite, sizes: dict[str, int]) -> list[str]:
    saw = []
    for name, size in sizes.items():
        with suite.services.log_path(name).open("rb") as log:
            log.seek(size)
            if _RECOVERY_LOG.search(log.read()):
                saw.append(name)
    return saw


async def postgres_recovery(ctx: Context) -> None:
    """Stop PostgreSQL and hold it in recovery (SQLSTATE 57P03) for 15 s, then promote it."""
    sizes = _log_sizes(ctx.suite)
    # A backlog first: consumers frozen while the load goes on, thawed as PostgreSQL goes down, so
    # that each has records to apply while the server is in recovery.
    frozen = [ctx.suite.services.processes[name] for name in CONSUMERS]
    for process in frozen:
        ctx.suite.pause(process)
    await asyncio.sleep(BACKLOG_SECONDS)
    await _blocking(lambda: control.start_in_recovery(ctx.suite))
    for process in frozen:
        ctx.suite.resume(process)
    outcomes: list[str | None] = []
    held_until = time.monotonic() + RECOVERY_HOLD_SECONDS
    while time.monotonic() < held_until:
        dsn = ctx.suite.endpoints.postgres_admin_dsn
        outcomes.append(await asyncio.to_thread(control.connect_outcome, dsn))
        await asyncio.sleep(1.0)
    waited = await asyncio.to_thread(control.end_recovery, ctx.suite)
    ctx.healed()
    seen = sum(outcome == "57P03" for outcome in outcomes)
    ctx.observed["57P03"] = seen
    ctx.notes.append(f"probe saw 57P03 {seen}/{len(outcomes)}")
    ctx.notes.append(f"promoted in {waited:.1f} s")
    saw = _services_that_saw_recovery(ctx.suite, sizes)
    ctx.notes.append(f"logged by {','.join(saw) or 'none'}")
    ctx.background.append(asyncio.create_task(probe_relays(ctx)))


async def postgres_terminate(ctx: Context) -> None:
    """pg_terminate_backend of every service connection, three times, 4 s apart."""
    ended = 0
    for _ in range(3):
        ended += await asyncio.to_thread(control.terminate_backends, ctx.suite)
        await asyncio.sleep(4.0)
    ctx.healed()
    ctx.notes.append(f"{ended} backends ended")
    ctx.background.append(asyncio.create_task(probe_relays(ctx)))


async def smtp_down(ctx: Context) -> None:
    """The SMTP inbox down for 30 s."""
    await _blocking(lambda: ctx.suite.down("smtp-inbox", signal.SIGTERM))
    await asyncio.sleep(30.0)
    await _blocking(lambda: ctx.suite.up("smtp-inbox"))
    ctx.healed()


async def stripe_down_and_slow(ctx: Context) -> None:
    """stripe-mock down for 15 s, then frozen (SIGSTOP: every call hangs) for 10 s."""
    await _blocking(lambda: ctx.suite.down("stripe-mock", signal.SIGTERM))
    await asyncio.sleep(15.0)
    await _blocking(lambda: ctx.suite.up("stripe-mock"))
    process = ctx.suite.process_of("stripe-mock")
    ctx.suite.pause(process)
    await asyncio.sleep(10.0)
    ctx.suite.resume(process)
    ctx.healed()


def poison_records() -> list[tuple[str, bytes, bytes | None, list[tuple[str, bytes]]]]:
    """Bad JSON, an unknown type, bad data and a tombstone: (name, key, value, headers)."""

    def envelope(event_type: str, data: object) -> bytes:
        return json.dumps(
            {
                "specversion": "1.0",
                "id": str(uuid.uuid4()),
                "source": "tessera-faults",
                "type": event_type,
                "time": datetime.now(UTC).isoformat(),
                "subject": str(uuid.uuid4()),
                "datacontenttype": "application/json",
                "data": data,
            }
        ).encode()

    return [
        ("bad json", uuid.uuid4().bytes, b"{this is not json", []),
        ("unknown type", uuid.uuid4().bytes, envelope("tessera.faults.Unknown.v1", {}), []),
        ("bad data", uuid.uuid4().bytes, envelope(ORGANISATION_REGISTERED, {"name": 7}), []),
        ("tombstone", uuid.uuid4().bytes, None, []),
    ]


async def poison(ctx: Context) -> None:
    """Four poison records on identity's organisations topic between valid ones."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=ctx.suite.endpoints.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for _name, key, value, headers in poison_records():
            await producer.send_and_wait(ORGANISATIONS_TOPIC, value, key=key, headers=headers)
            ctx.expected_dead_letters.add(key.decode(errors="replace"))
            await asyncio.sleep(1.0)
    finally:
        await producer.stop()
    ctx.healed()


async def _wait_settled(ctx: Context, limit: float) -> None:
    from tessera_devtools.faults.audit import settled

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if settled(ctx.window, await ctx.auditor.snapshot(ctx.window), ctx.topics):
            return
        await asyncio.sleep(1.0)


async def _all_lags(ctx: Context) -> int:
    bootstrap = ctx.suite.endpoints.kafka_bootstrap
    return sum([await control.group_lag(bootstrap, group) for group in CONSUMERS])


async def full_replay(ctx: Context) -> None:
    """After the load: stop every consumer, reset its group to the earliest offsets, start it again."""
    from tessera_devtools.faults.audit import effects, replayed_twice

    await ctx.load_done.wait()
    await _wait_settled(ctx, 90.0)
    await asyncio.sleep(3.0)
    before = await effects(ctx.auditor)
    for name in CONSUMERS:
        await _blocking(lambda name=name: ctx.suite.services.kill(name, signal.SIGTERM))  # type: ignore[misc]
    records = 0
    for group in CONSUMERS:
        bootstrap = ctx.suite.endpoints.kafka_bootstrap
        records += await asyncio.to_thread(control.reset_group_to_earliest, bootstrap, group)
    started = time.monotonic()
    for name in CONSUMERS:
        ctx.suite.services.serve(name)
    await _blocking(lambda: ctx.suite.services.wait_ready(list(CONSUMERS)))
    while await _all_lags(ctx) > 0 and time.monotonic() - started < 400:
        await asyncio.sleep(2.0)
    ctx.notes.append(f"{records} records replayed in {time.monotonic() - started:.0f} s")
    await asyncio.sleep(5.0)  # e-mails would follow their deliveries within a second or two
    after = await effects(ctx.auditor)
    ctx.healed()
    twice = replayed_twice(before, after)
    ctx.extra_duplicates.update({f"replayed {name}": count for name, count in twice.items()})
    ctx.notes.append("again: " + ", ".join(f"{count} {name}" for name, count in twice.items()))


async def rebalance_storm(ctx: Context) -> None:
    """Replicas of billing, notify and wallet join and leave (SIGTERM or SIGKILL), four rounds."""
    names = ("billing", "notify", "wallet", "billing")
    for round_number, name in enumerate(names):
        replica = await asyncio.to_thread(ctx.suite.add_replica, name)
        await asyncio.sleep(3.0)
        how = signal.SIGTERM if round_number % 2 == 0 else signal.SIGKILL
        await _blocking(lambda r=replica, h=how: ctx.suite.remove_replica(r, h))  # type: ignore[misc]
    ctx.healed()
    ctx.notes.append(f"{len(names)} joins, {len(names)} leaves")


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("consumer-kill", "kill -9 billing and notify under load, restart", consumer_kill),
    Scenario("sigstop", "SIGSTOP billing and notify past the session timeout, 2 replicas", sigstop_replica),
    Scenario("broker-kill", "Kafka SIGKILL, restart on its data folder", broker_kill),
    Scenario("postgres-stop", "PostgreSQL fast stop, start after 8 s", postgres_fast_stop),
    Scenario("postgres-recovery", "PostgreSQL held in recovery (57P03) for 15 s", postgres_recovery),
    Scenario("postgres-terminate", "pg_terminate_backend of every service connection x3", postgres_terminate),
    Scenario("smtp-down", "SMTP inbox down for 30 s", smtp_down, load_seconds=34.0),
    Scenario("stripe", "stripe-mock down 15 s, then frozen 10 s", stripe_down_and_slow, load_seconds=30.0),
    Scenario("poison", "bad JSON, unknown type, bad data, tombstone among valid records", poison),
    Scenario(
        "replay", "every group reset to the earliest offset", full_replay, load_seconds=8.0, limit=600.0
    ),
    Scenario("rebalance-storm", "replicas joining and leaving", rebalance_storm, load_seconds=30.0),
)
