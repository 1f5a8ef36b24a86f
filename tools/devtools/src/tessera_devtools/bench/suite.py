"""What every benchmark shares: the suite it runs against, the broker's lag, the report it writes."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from tessera_devtools.endpoints import Endpoints
from tessera_devtools.infra import InfraProvider, select_provider
from tessera_devtools.kafka import JVM_PROFILE_ENV, PRODUCTION_JVM_OPTIONS
from tessera_devtools.layout import Layout
from tessera_devtools.services import RunningServices, start_services
from tessera_kit.db import asyncpg_dsn

RUN_NAME = "bench"
CONSUMER_GROUPS = ("partnership", "billing", "wallet", "notify")
# Tessera's operator organisation in benchmark runs (renewal-day runs the operator's renewal endpoint).
OPERATOR_ORGANISATION = "0a0a0a0a-0000-4000-8000-0000000000be"


def say(line: str = "") -> None:
    """Print one line of the report, at once."""
    print(line, flush=True)


@dataclass
class Suite:
    """The infrastructure and the five services a benchmark runs against."""

    provider: InfraProvider
    endpoints: Endpoints
    services: RunningServices

    @property
    def bootstrap(self) -> str:
        """Kafka's bootstrap address."""
        return self.endpoints.kafka_bootstrap

    def dsn(self, service: str) -> str:
        """The plain asyncpg DSN of a service's database."""
        return asyncpg_dsn(self.endpoints.database_urls[service])

    def jvm_note(self) -> str:
        """Which JVM the broker runs with, for the report."""
        if self.provider.name != "local":
            return f"Kafka from the {self.provider.name} provider (its own JVM settings, not ours)"
        return "Kafka with a production JVM: " + " ".join(PRODUCTION_JVM_OPTIONS[:4]) + " (C2 compiler on)"


def service_settings() -> dict[str, str]:
    """Extra settings of every service in a benchmark run: the operator, prompt renewal runs."""
    return {
        "BILLING_OPERATOR_ORGANISATION_ID": OPERATOR_ORGANISATION,
        "BILLING_RENEWAL_WAKE_SECONDS": "2",
    }


def start_suite() -> Suite:
    """Start the infrastructure (Kafka with a production JVM) and the five services."""
    os.environ[JVM_PROFILE_ENV] = "production"
    provider = select_provider(RUN_NAME, unique_if_busy=True)
    endpoints = provider.start()
    try:
        services = start_services(
            endpoints, session=provider.session, ready_timeout=180, settings=service_settings()
        )
    except BaseException:
        provider.stop()
        raise
    return Suite(provider, endpoints, services)


def stop_suite(suite: Suite) -> None:
    """Stop the services, then the infrastructure."""
    try:
        suite.services.stop()
    finally:
        suite.provider.stop()


@dataclass
class Report:
    """The figures of one ``./dev bench`` run, written as JSON (and a PNG) under ``.local/bench``."""

    command: str
    started: float = field(default_factory=time.time)
    sections: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, figures: Any) -> None:
        """Record one section's figures."""
        self.sections[name] = figures

    def folder(self) -> Path:
        """``.local/bench`` of this checkout."""
        path = Layout.for_run(RUN_NAME).local / "bench"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def stem(self) -> str:
        """``<command>-<UTC time>``: the name of this run's files."""
        return f"{self.command}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(self.started))}"

    def write(self) -> Path:
        """Write the JSON; return its path."""
        path = self.folder() / f"{self.stem()}.json"
        body = {"command": self.command, "started_at": self.started, **self.sections}
        path.write_text(json.dumps(body, indent=2, default=str) + "\n")
        return path


def ratio(value: float, limit: float) -> str:
    """``value / limit`` as a percentage, for the report."""
    return f"{100 * value / limit:.1f} %" if limit > 0 else "n/a"


class Lag:
    """Consumer lag of groups on the broker: end offsets minus committed offsets, summed over partitions."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
        self.offsets = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)

    async def __aenter__(self) -> Lag:
        await self.admin.start()
        await self.offsets.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.offsets.stop()
        await self.admin.close()

    async def of(self, group: str) -> int:
        """The group's lag over every partition it has committed on (0 when it committed nothing)."""
        committed: Mapping[TopicPartition, Any] = await self.admin.list_consumer_group_offsets(group)
        partitions = [tp for tp, meta in committed.items() if meta is not None and meta.offset >= 0]
        if not partitions:
            return 0
        ends: Mapping[TopicPartition, int] = await self.offsets.end_offsets(partitions)
        return sum(max(0, ends[tp] - committed[tp].offset) for tp in partitions)

    async def all(self, groups: Iterable[str] = CONSUMER_GROUPS) -> dict[str, int]:
        """The lag of each group."""
        return {group: await self.of(group) for group in groups}

    async def topic_end(self, topic: str, partitions: int) -> int:
        """The sum of a topic's end offsets (how many records it ever held)."""
        tps = [TopicPartition(topic, index) for index in range(partitions)]
        ends: Mapping[TopicPartition, int] = await self.offsets.end_offsets(tps)
        return sum(ends.values())


async def wait_quiet(bootstrap: str, timeout: float) -> bool:
    """Wait (bounded) until no consumer group lags, so that one rate does not pay for the last."""
    deadline = time.monotonic() + timeout
    async with Lag(bootstrap) as lag:
        while time.monotonic() < deadline:
            if sum((await lag.all()).values()) == 0:
                return True
            await asyncio.sleep(0.5)
    return False


async def inbox_count(connection: asyncpg.Connection, consumer: str, event_type: str) -> int:
    """How many events of ``event_type`` the consumer has recorded in its inbox."""
    found = await connection.fetchval(
        "SELECT count(*) FROM tessera_inbox WHERE consumer = $1 AND event_type = $2", consumer, event_type
    )
    return int(found or 0)


def rss_mib(pid: int) -> float | None:
    """Resident memory (MiB) of a process and its children (a console script may fork), or None."""
    total = 0
    for one in [pid, *_children(pid)]:
        try:
            status = Path(f"/proc/{one}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024 if total else None


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    found = [int(child) for child in text.split()]
    return found + [grand for child in found for grand in _children(child)]


def memory(services: RunningServices) -> dict[str, float | None]:
    """RSS (MiB) of each service process."""
    return {name: rss_mib(services.processes[name].popen.pid) for name in services.names}


def rate(count: int, seconds: float) -> float:
    """Events per second (0 when no time passed)."""
    return count / seconds if seconds > 0 else 0.0


Sampler = Callable[[], Sequence[tuple[str, int]]]
