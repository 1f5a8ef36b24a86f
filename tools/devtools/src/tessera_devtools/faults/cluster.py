"""The cluster scenario: the suite on a 3-broker KRaft cluster, the leader of the busiest partition
killed under load and brought back.

Printed: how long until the partition had a new leader, until the relays published again
(producers moved on), until every consumer applied an event again, and until the in-sync replica
sets were whole again.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable

from tessera_devtools.endpoints import SERVICES
from tessera_devtools.faults import control
from tessera_devtools.faults.control import CONSUMERS, Suite
from tessera_devtools.faults.scenarios import ORGANISATIONS_TOPIC, Context, Scenario
from tessera_devtools.infra import suite_topics
from tessera_devtools.kafka_cluster import BROKERS, LocalKafkaCluster, describe
from tessera_devtools.postgres import provision_databases

CLUSTER_SUFFIX = "_c3"
DOWN_SECONDS = 15.0


def move_to_cluster(suite: Suite) -> None:
    """Stop the services and the single broker; start the cluster, fresh databases and the services."""
    suite.remove_replicas()
    suite.services.stop()
    suite.component("kafka").stop()
    cluster = LocalKafkaCluster(suite.session)
    suite.cluster = cluster
    cluster.start()
    cluster.create_topics(suite_topics())
    urls = provision_databases(suite.endpoints.postgres_admin_dsn, SERVICES, suffix=CLUSTER_SUFFIX)
    # The services' Kafka clients take one address (a comma-separated list is looked up as one host
    # name): the first broker bootstraps them, the cluster's metadata tells them the others.
    endpoints = control.cluster_endpoints(suite, cluster.nodes[0].address, urls)
    control.restart_services_on(suite, endpoints, control.replication_settings(BROKERS))


def _busiest(ctx: Context) -> tuple[str, int]:
    counts = Counter(
        (seen.topic, seen.partition) for seen in ctx.topics.records if seen.seen_at >= ctx.window.started_at
    )
    return max(counts, key=lambda tp: counts[tp]) if counts else (ORGANISATIONS_TOPIC, 0)


async def _until(probe: float, check: Callable[[], Awaitable[bool]], timeout: float = 90.0) -> float | None:
    """Seconds from ``probe`` (epoch) until ``check()`` is true, polled every 0.5 s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return time.time() - probe
        await asyncio.sleep(0.5)
    return None


async def _first_after(ctx: Context, service: str, query: str, instant: float) -> float | None:
    try:
        rows = await ctx.auditor.fetch(service, query, instant)
    except Exception:
        return None
    value = rows[0][0] if rows else None
    return float(value) - instant if value is not None else None


async def _moved_on(ctx: Context, killed_at: float) -> tuple[float | None, float | None]:
    """Seconds after the kill until identity's relay published again, and until the slowest consumer
    applied an event again."""
    published = (
        "SELECT extract(epoch FROM min(published_at)) FROM tessera_outbox "
        "WHERE published_at > to_timestamp($1)"
    )
    applied = (
        "SELECT extract(epoch FROM min(applied_at)) FROM tessera_inbox WHERE applied_at > to_timestamp($1)"
    )
    producers = await _first_after(ctx, "identity", published, killed_at)
    firsts = [await _first_after(ctx, name, applied, killed_at) for name in CONSUMERS]
    consumers = None if any(f is None for f in firsts) else max(f for f in firsts if f is not None)
    return producers, consumers


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} s"


async def leader_kill(ctx: Context) -> None:
    """SIGKILL the leader of the busiest partition; restart it after 15 s on its data folder."""
    cluster: LocalKafkaCluster = ctx.suite.cluster
    busiest = _busiest(ctx)
    _, partitions = await asyncio.to_thread(describe, cluster.bootstrap)
    leader = partitions[busiest][0]
    led = sum(1 for lead, _ in partitions.values() if lead == leader)
    node = cluster.node(leader)
    killed_at = time.time()
    await asyncio.to_thread(cluster.kill_node, node)

    async def new_leader() -> bool:
        try:
            _, now = await asyncio.to_thread(describe, cluster.bootstrap)
        except Exception:
            return False
        return now.get(busiest, (leader, []))[0] not in (leader, -1)

    elected = await _until(killed_at, new_leader)
    await asyncio.sleep(max(0.0, DOWN_SECONDS - (time.time() - killed_at)))
    producers, consumers = await _moved_on(ctx, killed_at)
    restarted_at = time.time()
    await asyncio.to_thread(cluster.start_node, node)

    async def whole() -> bool:
        try:
            _, now = await asyncio.to_thread(describe, cluster.bootstrap)
        except Exception:
            return False
        return all(len(isr) == BROKERS for _, isr in now.values())

    isr_back = await _until(restarted_at, whole)
    ctx.healed()
    ctx.notes.append(f"broker {leader} led {busiest[0].split('.')[-2]}/{busiest[1]} and {led - 1} more")
    ctx.notes.append(f"new leader {_fmt(elected)}, producers {_fmt(producers)}, consumers {_fmt(consumers)}")
    ctx.notes.append(f"ISR whole {_fmt(isr_back)} after restart")


CLUSTER_SCENARIO = Scenario(
    "cluster-leader-kill",
    "3-broker cluster: SIGKILL the busiest partition's leader, restart after 15 s",
    leader_kill,
    load_seconds=30.0,
    cluster=True,
)
