"""A single-node KRaft Kafka broker from Apache Kafka's jars on Maven Central (no Docker).

Besides its PLAINTEXT listener (what everything uses by default) the broker always opens a
SASL_PLAINTEXT listener with the PLAIN mechanism and one user on another free port, so that clients
configured for an authenticating cluster can be tested against it (:class:`SaslListener`).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import secrets
import shutil
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tessera_devtools.asyncutil import run_sync
from tessera_devtools.layout import Layout, cache_lock, find_tool, free_port
from tessera_devtools.process import (
    ComponentError,
    ManagedProcess,
    progress,
    run_step,
    spawn,
    tcp_open,
    wait_until,
)
from tessera_devtools.session import RunSession

NAME = "kafka"
POM = Path("deploy/local/kafka/pom.xml")
READY_TIMEOUT = 120.0
JVM_OPTIONS = (
    "-Xmx512m",
    "-Xms128m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Djava.awt.headless=true",
)
# A production-like JVM (what the benchmarks run): G1, the C2 compiler, a fixed 1 GiB heap.
PRODUCTION_JVM_OPTIONS = (
    "-Xmx1g",
    "-Xms1g",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-Djava.awt.headless=true",
)
# ``TESSERA_KAFKA_JVM=production`` starts the local broker with PRODUCTION_JVM_OPTIONS instead.
JVM_PROFILE_ENV = "TESSERA_KAFKA_JVM"


def jvm_options(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The broker's JVM flags: fast-start ones unless ``TESSERA_KAFKA_JVM=production``."""
    profile = (os.environ if env is None else env).get(JVM_PROFILE_ENV, "").strip().lower()
    return PRODUCTION_JVM_OPTIONS if profile == "production" else JVM_OPTIONS


_TOPIC_ALREADY_EXISTS = 36
SASL_LISTENER = "SASL_PLAINTEXT"
SASL_MECHANISM = "PLAIN"
SASL_USERNAME = "tessera"

LOG4J2_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <Console name="out" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Logger name="kafka" level="INFO"/>
    <Logger name="org.apache.kafka" level="INFO"/>
    <Logger name="state.change.logger" level="WARN"/>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Root level="WARN"><AppenderRef ref="out"/></Root>
  </Loggers>
</Configuration>
"""


@dataclass(frozen=True)
class SaslListener:
    """The broker's SASL_PLAINTEXT listener: mechanism PLAIN, one user (a fresh password per start)."""

    port: int
    username: str
    password: str
    mechanism: str = SASL_MECHANISM
    security_protocol: str = "SASL_PLAINTEXT"

    @property
    def bootstrap(self) -> str:
        """The listener's bootstrap address."""
        return f"127.0.0.1:{self.port}"

    def client_options(self) -> dict[str, Any]:
        """The aiokafka keyword arguments that log in on this listener."""
        return {
            "security_protocol": self.security_protocol,
            "sasl_mechanism": self.mechanism,
            "sasl_plain_username": self.username,
            "sasl_plain_password": self.password,
        }


def new_sasl_listener(port: int) -> SaslListener:
    """A SASL listener on ``port`` for the user ``tessera`` with a random password."""
    return SaslListener(port=port, username=SASL_USERNAME, password=secrets.token_hex(16))


def server_properties(
    data_dir: Path, port: int, controller_port: int, sasl: SaslListener | None = None
) -> str:
    """The broker+controller configuration of a one-node local cluster.

    With ``sasl``, a second client listener (``SASL_PLAINTEXT``, mechanism PLAIN, its one user declared
    in the listener's JAAS configuration); brokers and the controller keep talking PLAINTEXT.
    """
    listeners = [f"PLAINTEXT://127.0.0.1:{port}"]
    protocols = ["PLAINTEXT:PLAINTEXT"]
    if sasl is not None:
        listeners.append(f"{SASL_LISTENER}://127.0.0.1:{sasl.port}")
        protocols.append(f"{SASL_LISTENER}:SASL_PLAINTEXT")
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "listeners": ",".join([*listeners, f"CONTROLLER://127.0.0.1:{controller_port}"]),
        "advertised.listeners": ",".join(listeners),
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": ",".join([*protocols, "CONTROLLER:PLAINTEXT"]),
        "controller.quorum.bootstrap.servers": f"127.0.0.1:{controller_port}",
        "log.dirs": str(data_dir / "data"),
        "num.partitions": "3",
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "auto.create.topics.enable": "false",
        "group.initial.rebalance.delay.ms": "0",
    }
    if sasl is not None:
        prefix = f"listener.name.{SASL_LISTENER.lower()}"
        settings[f"{prefix}.sasl.enabled.mechanisms"] = sasl.mechanism
        settings[f"{prefix}.plain.sasl.jaas.config"] = (
            "org.apache.kafka.common.security.plain.PlainLoginModule required "
            f'user_{sasl.username}="{sasl.password}";'
        )
    return "".join(f"{key}={value}\n" for key, value in settings.items())


def cluster_id() -> str:
    """A fresh cluster id in Kafka's format (a url-safe base64 UUID without padding)."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


def ensure_jars(layout: Layout, log_path: Path) -> Path:
    """The folder of Kafka's jars, fetched with Maven from ``deploy/local/kafka/pom.xml`` on first use."""
    pom = layout.root / POM
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:12]
    target = layout.cache / f"kafka-{digest}"
    if target.is_dir():
        return target
    with cache_lock(layout, "kafka"):
        if target.is_dir():
            return target
        mvn = find_tool("mvn", "MAVEN_HOME")
        if mvn is None:
            raise ComponentError(NAME, "Maven (mvn) is not installed: it fetches Kafka's jars", log_path)
        progress(NAME, "downloading jars with Maven (first run only)...")
        started = time.monotonic()
        staging = target.with_name(f".{target.name}.partial")
        shutil.rmtree(staging, ignore_errors=True)
        command = [mvn, "-q", "-B", "-Dstyle.color=never", "-f", str(pom), "dependency:copy-dependencies"]
        command.append(f"-DoutputDirectory={staging}")
        run_step(NAME, command, log_path, timeout=900)
        staging.rename(target)
        progress(
            NAME, f"{len(list(target.glob('*.jar')))} jars in {target} ({time.monotonic() - started:.1f} s)"
        )
    return target


def _java(log_path: Path) -> str:
    java = find_tool("java", "JAVA_HOME")
    if java is None:
        raise ComponentError(NAME, "java is not installed (Kafka needs Java 17 or later)", log_path)
    return java


class _NoPlainLoginWarning(logging.Filter):
    """Drops aiokafka's warning about PLAIN over an unencrypted connection: known, and local only."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "Sending username and password in the clear"


async def _broker_count(bootstrap: str, options: dict[str, Any]) -> int:
    from aiokafka.admin import AIOKafkaAdminClient

    quiet, conn_log = _NoPlainLoginWarning(), logging.getLogger("aiokafka.conn")
    conn_log.addFilter(quiet)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000, **options)
    try:
        await admin.start()
        cluster: dict[str, Any] = await admin.describe_cluster()
        return len(cluster.get("brokers", []))
    finally:
        await admin.close()
        conn_log.removeFilter(quiet)


def kafka_answers(bootstrap: str, client_options: Mapping[str, Any] | None = None) -> bool:
    """Whether the broker at ``bootstrap`` answers a metadata request with at least one broker.

    ``client_options`` are extra aiokafka keyword arguments, e.g. :meth:`SaslListener.client_options`.
    """
    options = dict(client_options or {})
    host, port = bootstrap.rsplit(":", 1)
    if not tcp_open(host, int(port)):
        return False
    try:
        return run_sync(lambda: _broker_count(bootstrap, options)) > 0
    except Exception:
        return False


async def _create_topics(bootstrap: str, topics: list[Any]) -> list[str]:
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        new = [NewTopic(t.name, t.partitions, 1, topic_configs=t.config) for t in topics]
        response = await admin.create_topics(new)
        errors: list[dict[str, Any]] = response.to_object()["topic_errors"]
    finally:
        await admin.close()
    return [
        f"{e['topic']}: error {e['error_code']}"
        for e in errors
        if e["error_code"] not in (0, _TOPIC_ALREADY_EXISTS)
    ]


def create_topics(bootstrap: str, topics: Iterable[Any]) -> None:
    """Create ``topics`` (``tessera_events.Topic``-like: name, partitions, config); existing ones are kept."""
    wanted = list(topics)
    if not wanted:
        return
    failures = run_sync(lambda: _create_topics(bootstrap, wanted))
    if failures:
        raise ComponentError(NAME, "could not create topics: " + "; ".join(failures))


class LocalKafka:
    """Kafka as a local Java process, its data in ``.local/run/<run>/kafka``."""

    name = NAME

    def __init__(self, session: RunSession) -> None:
        self.session = session
        self.log_path = session.layout.log(NAME)
        self.process: ManagedProcess | None = None
        self.sasl: SaslListener | None = None

    def _configure(self, java: str, libs: Path) -> tuple[list[str], Path, int]:
        """Write server.properties and log4j2.xml; return the JVM command prefix, the config and the port."""
        folder = self.session.layout.data(NAME)
        port, controller_port = free_port(), free_port()
        self.sasl = new_sasl_listener(free_port())
        config, log4j = folder / "server.properties", folder / "log4j2.xml"
        config.write_text(server_properties(folder, port, controller_port, self.sasl))
        log4j.write_text(LOG4J2_XML)
        return [java, *jvm_options(), f"-Dlog4j2.configurationFile={log4j}", "-cp", f"{libs}/*"], config, port

    def start(self) -> str:
        """Format storage and start the broker; return its bootstrap address once it answers.

        The PLAINTEXT listener's address is returned; the SASL listener is :attr:`sasl` (it answers too).
        """
        self.log_path.write_bytes(b"")
        libs = ensure_jars(self.session.layout, self.log_path)
        started = time.monotonic()
        jvm, config, port = self._configure(_java(self.log_path), libs)
        format_storage = [*jvm, "kafka.tools.StorageTool", "format", "--standalone", "-t", cluster_id()]
        run_step(NAME, [*format_storage, "-c", str(config)], self.log_path, timeout=120)
        progress(NAME, "starting a KRaft broker...")
        self.process = spawn(NAME, [*jvm, "kafka.Kafka", str(config)], self.log_path, append=True)
        self.session.add_process(self.process, match=str(config))
        bootstrap = f"127.0.0.1:{port}"
        sasl = self.sasl

        def answers() -> bool:
            if not kafka_answers(bootstrap):
                return False
            return sasl is None or kafka_answers(sasl.bootstrap, sasl.client_options())

        wait_until(
            NAME,
            answers,
            timeout=READY_TIMEOUT,
            log_path=self.log_path,
            process=self.process,
        )
        sasl_note = f", SASL_PLAINTEXT/PLAIN on {sasl.bootstrap}" if sasl is not None else ""
        progress(NAME, f"ready on {bootstrap}{sasl_note} ({time.monotonic() - started:.1f} s)")
        return bootstrap

    def stop(self) -> None:
        """Shut the broker down (SIGTERM: a controlled shutdown), SIGKILL after 20 s."""
        if self.process is not None:
            self.process.stop_timeout = 20.0
            self.process.stop()
            self.session.remove_process(self.process)
            self.process = None
