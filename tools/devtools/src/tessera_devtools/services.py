"""The five services as subprocesses: ``tessera-<name> migrate``, then ``tessera-<name> serve``."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tessera_devtools import stripe_mock
from tessera_devtools.endpoints import SERVICES, Endpoints
from tessera_devtools.layout import DEFAULT_RUN, Layout, free_port
from tessera_devtools.process import ComponentError, ManagedProcess, http_ok, progress, run_step, spawn
from tessera_devtools.session import RunSession

READY_TIMEOUT = 60.0
MIGRATE_TIMEOUT = 300.0
STOP_TIMEOUT = 10.0

Command = Callable[[str], list[str]]

# Development and test only: partnership verifies the offer-request cancel links notify signs with it.
DEV_OFFER_LINK_KEY = "tessera-development-offer-link-key-0123456789"
# Development and test only: billing and wallet check Stripe webhook signatures with it.
DEV_STRIPE_WEBHOOK_SECRET = "whsec_tessera_development"
# Development and test only: the operator organisation whose administrators run the partner programme
# (the story admits its partners as this operator: tessera_devtools.story).
DEV_PROGRAMME_OPERATOR = "0a0a0a0a-0000-4000-8000-0000000000de"
# Development and test only: identity encrypts TOTP secrets and signing keys at rest with it (a Fernet key).
DEV_IDENTITY_ENCRYPTION_KEYS = '["-ovnoWbAht15cCsbxXPxRhDbcyvN2NfTb4od3lKQiAE="]'


def env_prefix(name: str) -> str:
    """The settings prefix of a service, e.g. ``IDENTITY_``."""
    return f"{name.upper()}_"


def service_env(name: str, endpoints: Endpoints, ports: Mapping[str, int]) -> dict[str, str]:
    """The environment variables one service needs (added to this process's environment).

    ``ports`` holds the HTTP port of each service started so far (of this one, too, when known):
    notify writes links to partnership's API into e-mails.
    """
    prefix = env_prefix(name)
    env = {
        "DATABASE_URL": endpoints.database_urls[name],
        "KAFKA_BOOTSTRAP_SERVERS": endpoints.kafka_bootstrap,
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(ports.get(name, 0)),
        "ZIPKIN_ENDPOINT": f"{endpoints.zipkin_url}/api/v2/spans" if endpoints.zipkin_url else "",
        "LOG_LEVEL": "INFO",
    }
    stripe = {"STRIPE_API_BASE": endpoints.stripe_api_base, "STRIPE_API_KEY": stripe_mock.TEST_KEY}
    if name == "notify":
        env |= {"SMTP_HOST": endpoints.smtp_host, "SMTP_PORT": str(endpoints.smtp_port)}
        env |= {"OFFER_LINK_KEY": DEV_OFFER_LINK_KEY}
        if "partnership" in ports:
            env |= {"PARTNERSHIP_PUBLIC_URL": f"http://127.0.0.1:{ports['partnership']}"}
    if name == "identity":
        # Every local client (tests, schemathesis's wrong passwords, the demo) shares 127.0.0.1: a
        # per-address limit of 20 failures a minute would make one test's guesses refuse the next
        # test's sign-ins. The per-account limit stays as in production.
        env |= {"ENCRYPTION_KEYS": DEV_IDENTITY_ENCRYPTION_KEYS, "SIGN_IN_FAILURES_PER_ADDRESS": "1000"}
    if name == "partnership":
        # Test organisations' websites do not exist: the programme's reachability check stays off here.
        env |= {"OFFER_LINK_KEY": DEV_OFFER_LINK_KEY, "WEBSITE_CHECK_ENABLED": "false"}
        env |= {"PROGRAMME_ADMIN_ORGANISATION_IDS": f'["{DEV_PROGRAMME_OPERATOR}"]'}
    if name == "billing":
        env |= stripe | {"STRIPE_WEBHOOK_SECRET": DEV_STRIPE_WEBHOOK_SECRET}
    if name == "wallet":
        env |= stripe | {"STRIPE_WEBHOOK_SECRET": DEV_STRIPE_WEBHOOK_SECRET}
    return {f"{prefix}{key}": value for key, value in env.items()} | {
        "OTEL_BSP_SCHEDULE_DELAY": "200",
        "PYTHONUNBUFFERED": "1",
    }


def console_script(name: str) -> list[str]:
    """The command of a service: the ``tessera-<name>`` script next to this Python, else on the PATH."""
    script = Path(sys.executable).parent / f"tessera-{name}"
    if script.is_file():
        return [str(script)]
    found = shutil.which(f"tessera-{name}")
    if found is None:
        raise ComponentError(name, f"tessera-{name} is not installed (run `uv sync`)")
    return [found]


class RunningServices:
    """Services started by :func:`start_services`; each can be killed and restarted on its own port."""

    def __init__(
        self,
        endpoints: Endpoints,
        layout: Layout,
        *,
        session: RunSession | None = None,
        command: Command = console_script,
        ready_timeout: float = READY_TIMEOUT,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        self.endpoints = endpoints
        self.settings = dict(settings or {})
        self.layout = layout
        self.session = session
        self.command = command
        self.ready_timeout = ready_timeout
        self.ports: dict[str, int] = {}
        self.processes: dict[str, ManagedProcess] = {}

    @property
    def names(self) -> tuple[str, ...]:
        """The services this object manages."""
        return tuple(self.ports)

    def url(self, name: str) -> str:
        """The base URL of a service's HTTP API, e.g. ``http://127.0.0.1:8123``."""
        return f"http://127.0.0.1:{self.ports[name]}"

    def log_path(self, name: str) -> Path:
        """The log file of a service (migrations and serving)."""
        return self.layout.log(name)

    def env(self, name: str) -> dict[str, str]:
        """The full environment a service runs with."""
        return {**os.environ, **service_env(name, self.endpoints, self.ports), **self.settings}

    def migrate(self, name: str) -> None:
        """Run ``tessera-<name> migrate`` to completion."""
        progress(name, "migrating...")
        command = [*self.command(name), "migrate"]
        run_step(name, command, self.log_path(name), env=self.env(name), timeout=MIGRATE_TIMEOUT)

    def migrate_all(self, names: Sequence[str]) -> None:
        """Migrate several services at once; raise the first failure."""
        with ThreadPoolExecutor(max_workers=len(names) or 1) as pool:
            list(pool.map(self.migrate, names))

    def serve(self, name: str) -> ManagedProcess:
        """Start ``tessera-<name> serve`` (without waiting for it to be ready)."""
        self.ports.setdefault(name, free_port())
        command = [*self.command(name), "serve"]
        process = spawn(name, command, self.log_path(name), env=self.env(name), append=True)
        self.processes[name] = process
        if self.session is not None:
            self.session.add_process(process, match=f"tessera-{name}")
            self.session.set_service_url(name, self.url(name))
        return process

    def wait_ready(self, names: Sequence[str]) -> None:
        """Wait until each service's ``/readyz`` answers 200; raise naming the first that fails."""
        started = time.monotonic()
        pending = list(names)
        while pending:
            for name in list(pending):
                process = self.processes[name]
                if http_ok(f"{self.url(name)}/readyz"):
                    pending.remove(name)
                    progress(name, f"ready on {self.url(name)} ({time.monotonic() - started:.1f} s)")
                elif not process.alive():
                    problem = f"exited with code {process.popen.returncode} before /readyz answered"
                    raise ComponentError(name, problem, self.log_path(name))
            if pending and time.monotonic() - started > self.ready_timeout:
                problem = f"/readyz did not answer 200 within {self.ready_timeout:.0f} s"
                raise ComponentError(pending[0], problem, self.log_path(pending[0]))
            if pending:
                time.sleep(0.2)

    def kill(self, name: str, sig: signal.Signals = signal.SIGKILL) -> None:
        """Send ``sig`` (default SIGKILL: a crash) to a service and wait until it has exited."""
        process = self.processes[name]
        if process.alive():
            process.popen.send_signal(sig)
        process.popen.wait()
        if self.session is not None:
            self.session.remove_process(process)

    def restart(self, name: str) -> None:
        """Stop a service if it still runs, then serve it again on the same port and wait until ready."""
        self._stop([name])
        self.serve(name)
        self.wait_ready([name])

    def _stop(self, names: Sequence[str]) -> None:
        running = [self.processes[n] for n in names if n in self.processes and self.processes[n].alive()]
        for process in running:
            process.popen.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for process in running:
            if process.popen.poll() is None:
                try:
                    process.popen.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
        for name in names:
            if name in self.processes and self.session is not None:
                self.session.remove_process(self.processes[name])

    def stop(self) -> None:
        """SIGTERM every service, SIGKILL those still running after 10 s."""
        self._stop(list(self.processes))


def start_services(
    endpoints: Endpoints,
    names: Sequence[str] = SERVICES,
    *,
    session: RunSession | None = None,
    command: Command = console_script,
    ready_timeout: float = READY_TIMEOUT,
    settings: Mapping[str, str] | None = None,
) -> RunningServices:
    """Migrate each service (in parallel), then serve each and wait for every ``/readyz``.

    Logs go to ``<logs>/<name>.log`` of the session's run (``.local/logs`` without one).
    ``settings`` are extra environment variables for every service (e.g. an operator organisation, or
    consumer groups of their own). On failure the services already started are stopped and a
    ComponentError names the service and its log.
    """
    layout = session.layout if session is not None else Layout.for_run(DEFAULT_RUN)
    services = RunningServices(
        endpoints, layout, session=session, command=command, ready_timeout=ready_timeout, settings=settings
    )
    for name in names:
        services.ports[name] = free_port()
        services.log_path(name).write_bytes(b"")
    try:
        services.migrate_all(names)
        for name in names:
            services.serve(name)
        services.wait_ready(names)
    except BaseException:
        services.stop()
        raise
    return services
