"""The suite under test, and the faults the project's own process control injects into it.

Everything here is blocking (processes, signals, waits): scenarios call it through
``asyncio.to_thread`` so that the load and the audit keep running meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tessera_devtools.asyncutil import run_sync
from tessera_devtools.endpoints import SERVICES, Endpoints
from tessera_devtools.infra import LocalProcesses
from tessera_devtools.kafka import kafka_answers
from tessera_devtools.layout import free_port
from tessera_devtools.postgres import SUPERUSER, postgres_answers
from tessera_devtools.process import (
    ManagedProcess,
    http_ok,
    progress,
    run_step,
    spawn,
    tcp_open,
    wait_until,
)
from tessera_devtools.services import RunningServices, env_prefix, start_services
from tessera_devtools.session import RunSession
from tessera_devtools.stripe_mock import stripe_mock_answers

FAULTS_RUN = "faults"
READY_TIMEOUT = 90.0
CONSUMERS: tuple[str, ...] = ("partnership", "billing", "wallet", "notify")


def plain_dsn(url: str) -> str:
    """An asyncpg DSN from a ``postgresql+asyncpg://`` URL."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def database_name(url: str) -> str:
    """The database a URL names."""
    return urlsplit(url).path.lstrip("/")


@dataclass
class Replica:
    """A second process of a service: same database, same consumer group, its own HTTP port."""

    name: str
    process: ManagedProcess
    port: int


@dataclass
class Suite:
    """The running infrastructure and services, and handles on their processes."""

    provider: LocalProcesses
    endpoints: Endpoints
    services: RunningServices
    replicas: list[Replica] = field(default_factory=list)
    cluster: Any = None
    _commands: dict[str, list[str]] = field(default_factory=dict)

    @property
    def session(self) -> RunSession:
        """The run that owns every process."""
        return self.provider.session

    @property
    def urls(self) -> dict[str, str]:
        """Each service's base URL."""
        return {name: self.services.url(name) for name in self.services.names}

    def component(self, name: str) -> Any:
        """``kafka``, ``postgres``, ``stripe-mock`` or ``smtp-inbox`` (their ``process`` is what we hurt)."""
        return self.provider.components[name]

    def process_of(self, name: str) -> ManagedProcess:
        """The current process of a component."""
        process: ManagedProcess = self.component(name).process
        return process

    def down(self, name: str, how: signal.Signals = signal.SIGKILL) -> None:
        """Stop a component with ``how`` (SIGKILL: a crash) and wait until it has gone."""
        process = self.process_of(name)
        self._commands.setdefault(name, [str(arg) for arg in process.popen.args])  # type: ignore[union-attr]
        if process.alive():
            process.popen.send_signal(how)
        try:
            process.popen.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        self.session.remove_process(process)

    def up(self, name: str, extra: Sequence[str] = (), *, wait: bool = True) -> None:
        """Start a component again with its first command line (plus ``extra``), on its data folder."""
        old = self.process_of(name)
        command = [*self._commands[name], *extra]
        user = SUPERUSER if name == "postgres" and os.geteuid() == 0 else None
        new = spawn(name, command, old.log_path, user=user, stop_signal=old.stop_signal, append=True)
        new.stop_timeout = old.stop_timeout
        self.component(name).process = new
        self.session.add_process(new, match=" ".join(command[-2:]))
        if wait:
            self.wait_answers(name)

    def wait_answers(self, name: str, timeout: float = READY_TIMEOUT) -> float:
        """Wait until a component answers again; the seconds waited."""
        probes = {
            "kafka": lambda: kafka_answers(self.endpoints.kafka_bootstrap.split(",")[0]),
            "postgres": lambda: postgres_answers(self.endpoints.postgres_admin_dsn),
            "stripe-mock": lambda: stripe_mock_answers(self.endpoints.stripe_api_base),
            "smtp-inbox": lambda: tcp_open(self.endpoints.smtp_host, self.endpoints.smtp_port),
        }
        return wait_until(name, probes[name], timeout=timeout, log_path=self.process_of(name).log_path)

    def pause(self, process: ManagedProcess) -> None:
        """SIGSTOP a process (it holds its sockets and answers nothing)."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGSTOP)

    def resume(self, process: ManagedProcess) -> None:
        """SIGCONT a process stopped by :meth:`pause`."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGCONT)

    def add_replica(self, name: str) -> Replica:
        """Start one more process of a service in its group; return once its /readyz answers."""
        port = free_port()
        env = {**self.services.env(name), f"{env_prefix(name)}HTTP_PORT": str(port)}
        log = self.services.layout.log(f"{name}-replicas")
        process = spawn(f"{name}-replica", [*self.services.command(name), "serve"], log, env=env, append=True)
        self.session.add_process(process, match=f"tessera-{name}")
        wait_until(
            f"{name}-replica",
            lambda: http_ok(f"http://127.0.0.1:{port}/readyz"),
            timeout=READY_TIMEOUT,
            log_path=log,
            process=process,
        )
        replica = Replica(name, process, port)
        self.replicas.append(replica)
        return replica

    def remove_replica(self, replica: Replica, how: signal.Signals = signal.SIGTERM) -> None:
        """Stop a replica (SIGTERM: it leaves its group; SIGKILL: its session has to time out)."""
        if replica.process.alive():
            replica.process.popen.send_signal(how)
        try:
            replica.process.popen.wait(15)
        except subprocess.TimeoutExpired:
            replica.process.kill()
        self.session.remove_process(replica.process)
        if replica in self.replicas:
            self.replicas.remove(replica)

    def remove_replicas(self) -> None:
        """Stop every replica still running."""
        for replica in list(self.replicas):
            self.resume(replica.process)
            self.remove_replica(replica)

    def heal(self) -> list[str]:
        """Bring back whatever a failed scenario left down (components, then services); what was healed."""
        healed = []
        components = ("postgres", "stripe-mock", "smtp-inbox") if self.cluster else self.provider.components
        for name in components:
            process: ManagedProcess | None = self.component(name).process
            if process is None or process.alive():
                continue
            self.up(name)
            healed.append(name)
        data = _data_dir(self._commands["postgres"]) if "postgres" in self._commands else None
        if data is not None and (data / "standby.signal").exists():
            end_recovery(self)
            healed.append("postgres recovery")
        for name, process in self.services.processes.items():
            if not process.alive():
                self.services.restart(name)
                healed.append(name)
        return healed

    def stop(self) -> None:
        """Stop the replicas, the services, then the infrastructure."""
        self.remove_replicas()
        self.services.stop()
        if self.cluster is not None:
            self.cluster.stop()
        self.provider.stop()


def start_suite(settings: Mapping[str, str] | None = None) -> Suite:
    """Local infrastructure (run ``faults``) and the five services, ready."""
    provider = LocalProcesses(FAULTS_RUN)
    endpoints = provider.start()
    try:
        services = start_services(endpoints, session=provider.session, settings=settings)
    except BaseException:
        provider.stop()
        raise
    return Suite(provider, endpoints, services)


def restart_services_on(suite: Suite, endpoints: Endpoints, settings: Mapping[str, str]) -> None:
    """Stop the suite's services and start fresh ones against ``endpoints`` (e.g. a cluster)."""
    suite.remove_replicas()
    suite.services.stop()
    suite.endpoints = endpoints
    suite.services = start_services(endpoints, session=suite.session, settings=settings)


def cluster_endpoints(suite: Suite, bootstrap: str, database_urls: dict[str, str]) -> Endpoints:
    """The suite's endpoints with another Kafka and other databases."""
    return replace(
        suite.endpoints,
        kafka_bootstrap=bootstrap,
        database_urls=database_urls,
        kafka_sasl_bootstrap=None,
        kafka_sasl_username=None,
        kafka_sasl_password=None,
    )


def replication_settings(factor: int) -> dict[str, str]:
    """``<P>TOPIC_REPLICATION_FACTOR`` for every service."""
    return {f"{env_prefix(name)}TOPIC_REPLICATION_FACTOR": str(factor) for name in SERVICES}


# --- PostgreSQL ---------------------------------------------------------------------------------


def _data_dir(command: Sequence[str]) -> Path:
    return Path(command[list(command).index("-D") + 1])


def _write_as_server(path: Path, text: str) -> None:
    path.write_text(text)
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SUPERUSER)
        os.chown(path, entry.pw_uid, entry.pw_gid)


async def _sqlstate_of_connect(dsn: str) -> str | None:
    import asyncpg

    try:
        connection = await asyncpg.connect(dsn, timeout=2)
    except asyncpg.PostgresError as error:
        return str(getattr(error, "sqlstate", "?"))
    except (OSError, TimeoutError):
        return "refused"
    await connection.close()
    return None


def connect_outcome(dsn: str) -> str | None:
    """What a new connection gets: None (accepted), a SQLSTATE such as ``57P03``, or ``refused``."""
    try:
        return run_sync(lambda: _sqlstate_of_connect(dsn))
    except Exception as error:
        return type(error).__name__


def start_in_recovery(suite: Suite) -> None:
    """Stop PostgreSQL (fast shutdown) and start it as a standby with nothing to replay.

    Not an immediate shutdown: the local clusters run with ``synchronous_commit=off``, so a crash
    loses the last commits the services were told had succeeded, which is the setting's documented
    cost and not what this fault is about.

    ``standby.signal`` with ``hot_standby=off`` keeps the server in recovery, refusing every
    connection with SQLSTATE 57P03 ("the database system is not accepting connections"), until
    :func:`end_recovery` promotes it.
    """
    suite.down("postgres", signal.SIGINT)
    data = _data_dir(suite._commands["postgres"])
    _write_as_server(data / "standby.signal", "")
    suite.up("postgres", ["-c", "hot_standby=off"], wait=False)


def end_recovery(suite: Suite) -> float:
    """Promote the held server with ``pg_ctl promote``; the seconds until it answers."""
    command = suite._commands["postgres"]
    pg_ctl = str(Path(command[0]).with_name("pg_ctl"))
    user = SUPERUSER if os.geteuid() == 0 else None
    log = suite.process_of("postgres").log_path
    run_step("postgres", [pg_ctl, "-D", str(_data_dir(command)), "promote", "-W"], log, user=user, timeout=30)
    return suite.wait_answers("postgres")


async def _terminate(admin_dsn: str, databases: list[str]) -> int:
    import asyncpg

    connection = await asyncpg.connect(admin_dsn, timeout=10)
    try:
        count: int = await connection.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = ANY($1::text[]) AND pid <> pg_backend_pid()",
            databases,
        )
        return count
    finally:
        await connection.close()


def terminate_backends(suite: Suite) -> int:
    """``pg_terminate_backend`` of every connection to a service database; how many were ended."""
    databases = [database_name(url) for url in suite.endpoints.database_urls.values()]
    return run_sync(lambda: _terminate(suite.endpoints.postgres_admin_dsn, databases))


# --- Kafka consumer groups -----------------------------------------------------------------------


async def _group_offsets(bootstrap: str, group: str) -> dict[Any, int]:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}


async def _reset_to_earliest(bootstrap: str, group: str) -> int:
    from aiokafka import AIOKafkaConsumer
    from aiokafka.structs import OffsetAndMetadata

    partitions = list(await _group_offsets(bootstrap, group))
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        beginnings = await consumer.beginning_offsets(partitions)
        await consumer.commit({tp: OffsetAndMetadata(beginnings[tp], "") for tp in partitions})
        ends = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
    return sum(ends[tp] - beginnings[tp] for tp in partitions)


def reset_group_to_earliest(bootstrap: str, group: str) -> int:
    """Commit the earliest offset of every partition ``group`` has read (the group must be empty);
    return how many records it will read again."""
    return run_sync(lambda: _reset_to_earliest(bootstrap, group))


async def group_lag(bootstrap: str, group: str) -> int:
    """Records of the group's partitions not yet committed by it."""
    from aiokafka import AIOKafkaConsumer

    committed = await _group_offsets(bootstrap, group)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(list(committed))
    finally:
        await consumer.stop()
    return sum(max(0, ends[tp] - offset) for tp, offset in committed.items())



def note(message: str) -> None:
    """A progress line of the fault suite."""
    progress("faults", message)
