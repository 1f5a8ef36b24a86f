"""A 3-broker KRaft cluster on loopback ports, from the same jars as :mod:`tessera_devtools.kafka`.

Each node is broker and controller (a static quorum of three voters). Topics get three replicas and
``min.insync.replicas=2``, so one broker may die without losing an acknowledged record or stopping
producers: what a deployment that outgrew one machine runs. Services pointed at it need
``<P>TOPIC_REPLICATION_FACTOR=3`` (:func:`tessera_devtools.faults.control.replication_settings`).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tessera_devtools.asyncutil import run_sync
from tessera_devtools.kafka import JVM_OPTIONS, LOG4J2_XML, _java, cluster_id, ensure_jars
from tessera_devtools.layout import free_port
from tessera_devtools.process import ComponentError, ManagedProcess, progress, run_step, spawn, wait_until
from tessera_devtools.session import RunSession

NAME = "kafka-cluster"
BROKERS = 3
MIN_INSYNC_REPLICAS = 2
READY_TIMEOUT = 180.0
# Each broker gets less heap than the single local one: three of them share a small machine.
_SMALL_HEAP = ("-Xmx384m", "-Xms96m")
CLUSTER_JVM_OPTIONS = (*(option for option in JVM_OPTIONS if not option.startswith("-Xm")), *_SMALL_HEAP)


@dataclass
class Node:
    """One broker+controller of the cluster."""

    node_id: int
    port: int
    controller_port: int
    folder: Path
    command: list[str]
    process: ManagedProcess | None = None

    @property
    def address(self) -> str:
        """Its client listener."""
        return f"127.0.0.1:{self.port}"


def node_properties(node: Node, voters: str) -> str:
    """The configuration of one node of the cluster."""
    settings = {
        "process.roles": "broker,controller",
        "node.id": str(node.node_id),
        "listeners": f"PLAINTEXT://127.0.0.1:{node.port},CONTROLLER://127.0.0.1:{node.controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{node.port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.quorum.voters": voters,
        "log.dirs": str(node.folder / "data"),
        "num.partitions": "3",
        "default.replication.factor": str(BROKERS),
        "min.insync.replicas": str(MIN_INSYNC_REPLICAS),
        "offsets.topic.replication.factor": str(BROKERS),
        "transaction.state.log.replication.factor": str(BROKERS),
        "transaction.state.log.min.isr": str(MIN_INSYNC_REPLICAS),
        "auto.create.topics.enable": "false",
        "unclean.leader.election.enable": "false",
        "group.initial.rebalance.delay.ms": "0",
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())


async def _describe(bootstrap: str) -> tuple[int, dict[tuple[str, int], tuple[int, list[int]]]]:
    """(brokers alive, {(topic, partition): (leader, in-sync replicas)})."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap.split(","), request_timeout_ms=5000)
    await admin.start()
    try:
        cluster: dict[str, Any] = await admin.describe_cluster()
        topics = await admin.list_topics()
        described = await admin.describe_topics([t for t in topics if not t.startswith("__")])
    finally:
        await admin.close()
    partitions = {
        (topic["topic"], part["partition"]): (part["leader"], list(part["isr"]))
        for topic in described
        for part in topic.get("partitions", [])
    }
    return len(cluster.get("brokers", [])), partitions


def describe(bootstrap: str) -> tuple[int, dict[tuple[str, int], tuple[int, list[int]]]]:
    """How many brokers answer, and every partition's leader and in-sync replicas."""
    return run_sync(lambda: _describe(bootstrap))


async def _create(bootstrap: str, topics: list[Any]) -> None:
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap.split(","), request_timeout_ms=30000)
    await admin.start()
    try:
        configs = {"min.insync.replicas": str(MIN_INSYNC_REPLICAS)}
        new = [NewTopic(t.name, t.partitions, BROKERS, topic_configs={**t.config, **configs}) for t in topics]
        await admin.create_topics(new)
    finally:
        await admin.close()


class LocalKafkaCluster:
    """Three KRaft nodes as local Java processes, their data in ``.local/run/<run>/kafka-<n>``."""

    name = NAME

    def __init__(self, session: RunSession) -> None:
        self.session = session
        self.log_path = session.layout.log(NAME)
        self.nodes: list[Node] = []

    @property
    def bootstrap(self) -> str:
        """Every node's client listener, comma-separated."""
        return ",".join(node.address for node in self.nodes)

    def _configure(self) -> None:
        libs = ensure_jars(self.session.layout, self.log_path)
        java = _java(self.log_path)
        self.nodes = []
        for node_id in range(1, BROKERS + 1):
            folder = self.session.layout.data(f"kafka-{node_id}")
            (folder / "log4j2.xml").write_text(LOG4J2_XML)
            jvm = [java, *CLUSTER_JVM_OPTIONS, f"-Dlog4j2.configurationFile={folder / 'log4j2.xml'}"]
            node = Node(node_id, free_port(), free_port(), folder, [*jvm, "-cp", f"{libs}/*"])
            self.nodes.append(node)
        voters = ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}" for n in self.nodes)
        identifier = cluster_id()
        for node in self.nodes:
            config = node.folder / "server.properties"
            config.write_text(node_properties(node, voters))
            format_storage = [*node.command, "kafka.tools.StorageTool", "format", "-t", identifier]
            run_step(NAME, [*format_storage, "-c", str(config)], self.log_path, timeout=120)

    def start(self) -> str:
        """Format and start the three nodes; return the bootstrap list once all three are brokers."""
        self.log_path.write_bytes(b"")
        started = time.monotonic()
        self._configure()
        progress(NAME, f"starting {BROKERS} KRaft brokers...")
        for node in self.nodes:
            self.start_node(node, wait=False)
        wait_until(
            NAME, lambda: self.brokers_alive() == BROKERS, timeout=READY_TIMEOUT, log_path=self.log_path
        )
        progress(NAME, f"ready on {self.bootstrap} ({time.monotonic() - started:.1f} s)")
        return self.bootstrap

    def brokers_alive(self) -> int:
        """Brokers the cluster's metadata lists (0 when none answers)."""
        try:
            return describe(self.bootstrap)[0]
        except Exception:
            return 0

    def start_node(self, node: Node, *, wait: bool = True) -> None:
        """Start (or restart, on its data folder) one node."""
        config = node.folder / "server.properties"
        log = self.session.layout.log(f"kafka-{node.node_id}")
        command = [*node.command, "kafka.Kafka", str(config)]
        node.process = spawn(f"kafka-{node.node_id}", command, log, append=True)
        node.process.stop_timeout = 20.0
        self.session.add_process(node.process, match=str(config))
        if wait:
            wait_until(NAME, lambda: self.brokers_alive() == BROKERS, timeout=READY_TIMEOUT, log_path=log)

    def kill_node(self, node: Node) -> None:
        """SIGKILL one node (a crash: no controlled shutdown)."""
        if node.process is not None:
            node.process.kill()
            self.session.remove_process(node.process)

    def node(self, node_id: int) -> Node:
        """The node with this id."""
        for node in self.nodes:
            if node.node_id == node_id:
                return node
        raise ComponentError(NAME, f"no node {node_id}")

    def create_topics(self, topics: Iterable[Any]) -> None:
        """Create topics with three replicas and ``min.insync.replicas=2``; existing ones are kept."""
        wanted = list(topics)
        run_sync(lambda: _create(self.bootstrap, wanted))

    def stop(self) -> None:
        """Stop every node (SIGTERM: controlled shutdown; SIGKILL after 20 s)."""
        running = [node.process for node in self.nodes if node.process is not None and node.process.alive()]
        for process in running:
            process.popen.terminate()
        for process in running:
            try:
                process.popen.wait(process.stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
        for node in self.nodes:
            if node.process is not None:
                self.session.remove_process(node.process)
                node.process = None
