"""Liveness and readiness: is the process up, and can it do its job right now."""

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiokafka import AIOKafkaProducer

from tessera_kit.db import Database
from tessera_kit.revisions import applied_revisions, read_revisions, schema_lag

Check = Callable[[], Awaitable[None]]


def database_check(database: Database) -> Check:
    """Ready when the database answers."""
    return database.ping


def kafka_check(producer: AIOKafkaProducer) -> Check:
    """Ready when a Kafka broker answers a metadata request."""

    async def check() -> None:
        metadata = await producer.client.fetch_all_metadata()
        if not metadata.brokers():
            raise ConnectionError("no Kafka broker answers")

    return check


def migrations_check(database: Database, migrations_dir: Path) -> Check:
    """Ready when the database schema is at the revision this code expects, or newer."""
    revisions = read_revisions(migrations_dir)

    async def check() -> None:
        lag = schema_lag(revisions, await applied_revisions(database.engine))
        if lag:
            raise RuntimeError(lag)

    return check


async def run_checks(checks: dict[str, Check], seconds_each: float = 2.0) -> dict[str, str]:
    """Run every check; returns each check's outcome ("ok" or the reason it failed)."""

    async def outcome(check: Check) -> str:
        try:
            async with asyncio.timeout(seconds_each):
                await check()
        except Exception as error:
            return f"failed: {error!r}"
        return "ok"

    results = await asyncio.gather(*(outcome(check) for check in checks.values()))
    return dict(zip(checks, results, strict=True))
