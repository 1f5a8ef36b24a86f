"""Kafka, PostgreSQL, stripe-mock, an SMTP inbox and Zipkin (traces), from one of three providers.

* :class:`LocalProcesses` (the default without Docker) runs everything as local processes.
* :class:`External` uses a Kafka and a PostgreSQL that already run (``TESSERA_KAFKA_BOOTSTRAP``,
  ``TESSERA_POSTGRES_ADMIN_DSN``), with uniquely named databases.
* :class:`Testcontainers` runs Kafka, PostgreSQL and stripe-mock in Docker containers.

:func:`select_provider` picks one; ``TESSERA_INFRA=local|external|testcontainers`` forces it.
"""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import subprocess
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from tessera_devtools.endpoints import SERVICES, Endpoints
from tessera_devtools.kafka import LocalKafka, create_topics, kafka_answers
from tessera_devtools.layout import DEFAULT_RUN
from tessera_devtools.postgres import LocalPostgres, drop_databases, postgres_answers, provision_databases
from tessera_devtools.process import ComponentError, progress, wait_until
from tessera_devtools.session import RunSession
from tessera_devtools.sidecars import InboxAddress, LocalInbox
from tessera_devtools.stripe_mock import LocalStripeMock, stripe_mock_answers
from tessera_devtools.zipkin import LocalZipkin, zipkin_answers

__all__ = [
    "External",
    "InfraProvider",
    "LocalProcesses",
    "Testcontainers",
    "docker_engine_answers",
    "select_provider",
]

KAFKA_IMAGE = "confluentinc/cp-kafka:7.9.0"
POSTGRES_IMAGE = "postgres:15"
STRIPE_MOCK_IMAGE = "stripe/stripe-mock:v0.203.0"
STRIPE_MOCK_PORT = 12111
EXTERNAL_WAIT = 30.0


def suite_topics() -> list[Any]:
    """Every topic in the contracts, plus a dead-letter topic per service."""
    from tessera_events import ALL_TOPICS, dead_letter_topic

    return [*ALL_TOPICS, *(dead_letter_topic(service) for service in SERVICES)]


def _parallel(tasks: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run the callables at once; return their results, or raise the first failure after all ended."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        futures = {name: pool.submit(task) for name, task in tasks.items()}
        concurrent.futures.wait(futures.values())
    for future in futures.values():
        error = future.exception()
        if error is not None:
            raise error
    return {name: future.result() for name, future in futures.items()}


class InfraProvider(ABC):
    """Starts the infrastructure for one run and stops all of it again."""

    name: ClassVar[str]

    def __init__(self, run_name: str = DEFAULT_RUN, *, unique_if_busy: bool = False) -> None:
        self.run_name = run_name
        self.unique_if_busy = unique_if_busy
        self._session: RunSession | None = None
        self._endpoints: Endpoints | None = None
        self._stops: list[Callable[[], None]] = []

    @property
    def session(self) -> RunSession:
        """The run this provider owns (after :meth:`start`)."""
        if self._session is None:
            raise RuntimeError("the provider has not been started")
        return self._session

    @property
    def endpoints(self) -> Endpoints:
        """What :meth:`start` returned."""
        if self._endpoints is None:
            raise RuntimeError("the provider has not been started")
        return self._endpoints

    def start(self) -> Endpoints:
        """Start everything and wait until it answers; on failure stop what did start, then raise."""
        started = time.monotonic()
        self._session = RunSession.open(self.run_name, unique_if_busy=self.unique_if_busy)
        progress("infra", f"starting with the {self.name} provider (run {self._session.layout.run_name!r})")
        try:
            endpoints = self._start(self._session)
        except BaseException:
            self.stop()
            raise
        self._session.set_endpoints(endpoints.to_json())
        self._endpoints = endpoints
        progress("infra", f"ready ({time.monotonic() - started:.1f} s)")
        return endpoints

    @abstractmethod
    def _start(self, session: RunSession) -> Endpoints:
        """Start the components of this provider."""

    def _on_stop(self, stop: Callable[[], None]) -> None:
        self._stops.append(stop)

    def stop(self) -> None:
        """Stop everything this provider started, newest first; safe to call twice."""
        if self._stops:
            progress("infra", "stopping...")
        while self._stops:
            stop = self._stops.pop()
            try:
                stop()
            except Exception as error:
                progress("infra", f"while stopping: {error}")
        if self._session is not None:
            self._session.close()
            self._session = None
        self._endpoints = None

    def _local_sidecars(self, session: RunSession) -> tuple[InboxAddress, str]:
        inbox, zipkin = LocalInbox(session), LocalZipkin(session)
        self._on_stop(inbox.stop)
        self._on_stop(zipkin.stop)
        results = _parallel({"inbox": inbox.start, "zipkin": zipkin.start})
        return results["inbox"], results["zipkin"]


def _topics_and_databases(bootstrap: str, admin_dsn: str) -> dict[str, str]:
    """On a cluster of our own: create the contracts' topics (single replica) and the service databases."""
    started = time.monotonic()
    create_topics(bootstrap, suite_topics())
    progress("kafka", f"topics created ({time.monotonic() - started:.1f} s)")
    return _databases(admin_dsn)


def _databases(admin_dsn: str, suffix: str = "") -> dict[str, str]:
    urls = provision_databases(admin_dsn, SERVICES, suffix=suffix)
    progress("postgres", f"databases {', '.join(f'{s}{suffix}' for s in SERVICES)} created")
    return urls


class LocalProcesses(InfraProvider):
    """Everything as local processes; downloads land in ``.local/cache`` once and are reused."""

    name = "local"

    def _start(self, session: RunSession) -> Endpoints:
        kafka, postgres, stripe = LocalKafka(session), LocalPostgres(session), LocalStripeMock(session)
        inbox, zipkin = LocalInbox(session), LocalZipkin(session)
        for component in (kafka, postgres, stripe, inbox, zipkin):
            self._on_stop(component.stop)
        # The fault suite (tessera_devtools.faults) kills and restarts these by their processes.
        self.components: dict[str, Any] = {
            "kafka": kafka, "postgres": postgres, "stripe-mock": stripe, "smtp-inbox": inbox
        }
        tasks = {"kafka": kafka.start, "postgres": postgres.start, "stripe": stripe.start}
        results = _parallel({**tasks, "inbox": inbox.start, "zipkin": zipkin.start})
        urls = _topics_and_databases(results["kafka"], results["postgres"])
        mail = results["inbox"]
        sasl = kafka.sasl
        return Endpoints(
            results["kafka"],
            results["postgres"],
            urls,
            mail.host,
            mail.port,
            mail.maildir,
            results["stripe"],
            results["zipkin"],
            mail.web_url,
            kafka_sasl_bootstrap=sasl.bootstrap if sasl else None,
            kafka_sasl_username=sasl.username if sasl else None,
            kafka_sasl_password=sasl.password if sasl else None,
        )


class External(InfraProvider):
    """A Kafka and a PostgreSQL that already run; each run gets its own databases (unique suffix).

    ``TESSERA_SMTP_HOST``/``_PORT`` (and ``TESSERA_SMTP_MAILDIR``), ``TESSERA_STRIPE_API_BASE`` and
    ``TESSERA_ZIPKIN_URL`` (a Zipkin server's base URL; empty: no tracing) point at existing servers
    too; whichever is unset is started locally. ``TESSERA_KAFKA_SASL_BOOTSTRAP`` (with ``_USERNAME``
    and ``_PASSWORD``) names a SASL_PLAINTEXT/PLAIN listener of that Kafka, if it has one. Topics are
    left to the services (they create missing ones at start-up) and to whoever runs the cluster.
    """

    name = "external"

    def __init__(
        self,
        run_name: str = DEFAULT_RUN,
        *,
        unique_if_busy: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(run_name, unique_if_busy=unique_if_busy)
        self.env = dict(os.environ if env is None else env)

    def _wait_for(self, component: str, probe: Callable[[], bool], where: str) -> None:
        try:
            wait_until(component, probe, timeout=EXTERNAL_WAIT, log_path=None)
        except ComponentError:
            raise ComponentError(component, f"no answer from {where} within {EXTERNAL_WAIT:.0f} s") from None
        progress(component, f"answers at {where}")

    def _smtp(self, session: RunSession) -> tuple[str, int, Path | None, str | None]:
        if self.env.get("TESSERA_SMTP_HOST"):
            maildir = self.env.get("TESSERA_SMTP_MAILDIR")
            port = int(self.env.get("TESSERA_SMTP_PORT", "25"))
            return self.env["TESSERA_SMTP_HOST"], port, Path(maildir) if maildir else None, None
        inbox = LocalInbox(session)
        self._on_stop(inbox.stop)
        mail = inbox.start()
        return mail.host, mail.port, mail.maildir, mail.web_url

    def _stripe(self, session: RunSession) -> str:
        if self.env.get("TESSERA_STRIPE_API_BASE"):
            return self.env["TESSERA_STRIPE_API_BASE"]
        stripe = LocalStripeMock(session)
        self._on_stop(stripe.stop)
        return stripe.start()

    def _zipkin(self, session: RunSession) -> str | None:
        if "TESSERA_ZIPKIN_URL" in self.env:
            url = self.env["TESSERA_ZIPKIN_URL"].rstrip("/")
            if url:
                self._wait_for("zipkin", lambda: zipkin_answers(url), url)
            return url or None
        zipkin = LocalZipkin(session)
        self._on_stop(zipkin.stop)
        return zipkin.start()

    def _start(self, session: RunSession) -> Endpoints:
        bootstrap, admin_dsn = (
            self.env.get("TESSERA_KAFKA_BOOTSTRAP"),
            self.env.get("TESSERA_POSTGRES_ADMIN_DSN"),
        )
        if not bootstrap or not admin_dsn:
            raise ValueError(
                "the external provider needs TESSERA_KAFKA_BOOTSTRAP and TESSERA_POSTGRES_ADMIN_DSN"
            )
        self._wait_for("kafka", lambda: kafka_answers(bootstrap), bootstrap)
        self._wait_for("postgres", lambda: postgres_answers(admin_dsn), admin_dsn.rsplit("@", 1)[-1])
        suffix = f"_{uuid.uuid4().hex[:8]}"
        self._on_stop(lambda: drop_databases(admin_dsn, [f"{s}{suffix}" for s in SERVICES]))
        urls = _databases(admin_dsn, suffix)
        host, port, maildir, web = self._smtp(session)
        stripe = self._stripe(session)
        zipkin = self._zipkin(session)
        sasl_bootstrap = self.env.get("TESSERA_KAFKA_SASL_BOOTSTRAP") or None
        return Endpoints(
            bootstrap,
            admin_dsn,
            urls,
            host,
            port,
            maildir,
            stripe,
            zipkin,
            web,
            kafka_sasl_bootstrap=sasl_bootstrap,
            kafka_sasl_username=self.env.get("TESSERA_KAFKA_SASL_USERNAME") if sasl_bootstrap else None,
            kafka_sasl_password=self.env.get("TESSERA_KAFKA_SASL_PASSWORD") if sasl_bootstrap else None,
        )


class Testcontainers(InfraProvider):
    """Kafka (KRaft), PostgreSQL and stripe-mock in Docker; the SMTP inbox and Zipkin stay local."""

    name = "testcontainers"
    __test__ = False

    def _kafka(self) -> str:
        from testcontainers.community.kafka import KafkaContainer

        container = KafkaContainer(KAFKA_IMAGE).with_kraft()
        for key, value in {
            "AUTO_CREATE_TOPICS_ENABLE": "false",
            "NUM_PARTITIONS": "3",
            "TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
            "TRANSACTION_STATE_LOG_MIN_ISR": "1",
        }.items():
            container.with_env(f"KAFKA_{key}", value)
        self._on_stop(container.stop)
        container.start(timeout=120)
        bootstrap: str = container.get_bootstrap_server()
        progress("kafka", f"container ready on {bootstrap}")
        return bootstrap

    def _postgres(self) -> str:
        from testcontainers.community.postgres import PostgresContainer

        container = PostgresContainer(
            POSTGRES_IMAGE, username="postgres", password="postgres", dbname="postgres", driver=None
        ).with_command(
            "postgres -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._on_stop(container.stop)
        container.start()
        dsn: str = container.get_connection_url()
        progress("postgres", f"container ready on {dsn.rsplit('@', 1)[-1]}")
        return dsn

    def _stripe(self) -> str:
        from testcontainers.core.container import DockerContainer

        container = DockerContainer(STRIPE_MOCK_IMAGE).with_exposed_ports(STRIPE_MOCK_PORT)
        self._on_stop(container.stop)
        container.start()
        base = f"http://{container.get_container_host_ip()}:{container.get_exposed_port(STRIPE_MOCK_PORT)}"
        wait_until("stripe-mock", lambda: stripe_mock_answers(base), timeout=60, log_path=None)
        progress("stripe-mock", f"container ready on {base}")
        return base

    def _start(self, session: RunSession) -> Endpoints:
        results = _parallel({"kafka": self._kafka, "postgres": self._postgres, "stripe": self._stripe})
        urls = _topics_and_databases(results["kafka"], results["postgres"])
        mail, zipkin = self._local_sidecars(session)
        return Endpoints(
            results["kafka"],
            results["postgres"],
            urls,
            mail.host,
            mail.port,
            mail.maildir,
            results["stripe"],
            zipkin,
            mail.web_url,
        )


def docker_engine_answers() -> bool:
    """Whether ``docker info`` succeeds (a Docker engine is reachable)."""
    docker = shutil.which("docker")
    if docker is None:
        return False
    try:
        result = subprocess.run([docker, "info"], capture_output=True, timeout=15, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


PROVIDERS: dict[str, type[InfraProvider]] = {
    "local": LocalProcesses,
    "external": External,
    "testcontainers": Testcontainers,
}


def provider_name(
    env: Mapping[str, str], docker_available: Callable[[], bool] = docker_engine_answers
) -> str:
    """The provider to use: ``TESSERA_INFRA``, else external if its variables are set, else Docker/local."""
    forced = env.get("TESSERA_INFRA", "").strip().lower()
    if forced:
        if forced not in PROVIDERS:
            raise ValueError(f"TESSERA_INFRA={forced!r}: expected one of {', '.join(PROVIDERS)}")
        return forced
    if env.get("TESSERA_KAFKA_BOOTSTRAP") and env.get("TESSERA_POSTGRES_ADMIN_DSN"):
        return "external"
    return "testcontainers" if docker_available() else "local"


def select_provider(
    run_name: str = DEFAULT_RUN,
    *,
    unique_if_busy: bool = False,
    env: Mapping[str, str] | None = None,
    docker_available: Callable[[], bool] = docker_engine_answers,
) -> InfraProvider:
    """The provider for this machine and environment (not started yet)."""
    environment = dict(os.environ if env is None else env)
    name = provider_name(environment, docker_available)
    if name == "external":
        return External(run_name, unique_if_busy=unique_if_busy, env=environment)
    return PROVIDERS[name](run_name, unique_if_busy=unique_if_busy)
