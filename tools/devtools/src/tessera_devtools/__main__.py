"""``python -m tessera_devtools <command>`` (what ``./dev`` runs): the local suite, the demo and the tests."""

from __future__ import annotations

import os
import shlex
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

from tessera_devtools import console
from tessera_devtools.endpoints import SERVICES, Endpoints
from tessera_devtools.infra import select_provider
from tessera_devtools.layout import DEFAULT_RUN, Layout, free_port
from tessera_devtools.process import ComponentError, cancel_waits, progress
from tessera_devtools.services import RunningServices, service_env, start_services
from tessera_devtools.session import RunBusyError, stop_all_runs

USAGE = """usage: ./dev <command> [arguments]

commands:
  up       start Kafka, PostgreSQL, stripe-mock, the SMTP inbox, Zipkin (traces) and all five
           services in the foreground; print their addresses; Ctrl-C stops everything
  infra    start only the infrastructure; print its addresses as `export` lines; Ctrl-C stops it
  down     stop whatever an earlier `up`, `infra` or test session left running
  demo     start everything, run the billing-mode story against it, then stop
  bench    [pipeline|story|renewal-day|memory] [options]: start everything (Kafka on a production
           JVM), print throughput and open-loop latency next to raw limits, write .local/bench/
           (`./dev bench --help`); alone, a short form of all of them
  test     ruff check, mypy, the contracts check, then pytest (extra arguments go to pytest)
  faults   start everything, run the fault scenarios (all, or those named), print what each lost,
           duplicated or reordered and its recovery time; exit 1 if anything was lost or duplicated
  openapi  [--check]: write each service's OpenAPI document (services/<name>/openapi.json), or
           fail when one is stale
  help     show this text

Environment: TESSERA_INFRA=local|external|testcontainers forces a provider; see
docs/local-infrastructure.md for the rest.
"""


def _say(line: str) -> None:
    """Print from a signal handler (unbuffered: never re-enters a print in progress)."""
    os.write(sys.stdout.fileno(), f"{line}\n".encode())


def _already_stopping(_signum: int, _frame: FrameType | None) -> None:
    _say("[dev] already stopping, please wait")


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    _say(f"[dev] {signal.Signals(signum).name}: stopping...")
    cancel_waits()
    signal.signal(signal.SIGTERM, _already_stopping)
    signal.signal(signal.SIGINT, _already_stopping)
    raise KeyboardInterrupt(signal.Signals(signum).name)


@contextmanager
def _stoppable() -> Iterator[None]:
    """Turn SIGTERM (like Ctrl-C) into KeyboardInterrupt; exit quietly when it arrives."""
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        yield
    except KeyboardInterrupt:
        progress("dev", "stopped")


def _wait_forever(check: Callable[[], None]) -> None:
    while True:
        check()
        time.sleep(1.0)


def _print_infra(endpoints: Endpoints) -> None:
    print(f"  kafka          {endpoints.kafka_bootstrap}")
    print(f"  postgres       {endpoints.postgres_admin_dsn}")
    for name, url in endpoints.database_urls.items():
        print(f"    {name:<12} {url}")
    print(f"  stripe-mock    {endpoints.stripe_api_base}")
    print(f"  smtp           {endpoints.smtp_host}:{endpoints.smtp_port}")
    if endpoints.smtp_web_url:
        print(f"    inbox page   {endpoints.smtp_web_url}")
    if endpoints.maildir:
        print(f"    maildir      {endpoints.maildir}")
    if endpoints.zipkin_url:
        print(f"  traces         {endpoints.zipkin_url}/zipkin/   (Zipkin's dashboard)")
    else:
        print("  traces         off")


def _watch(services: RunningServices) -> Callable[[], None]:
    reported: set[str] = set()

    def check() -> None:
        for name, process in services.processes.items():
            if not process.alive() and name not in reported:
                reported.add(name)
                code = process.popen.returncode
                progress(name, f"exited with code {code}; see {services.log_path(name)}")

    return check


def up() -> int:
    """Start infrastructure and services in the foreground until Ctrl-C or SIGTERM."""
    provider = select_provider(DEFAULT_RUN)
    services: RunningServices | None = None
    manager: console.RunningConsole | None = None
    with _stoppable():
        try:
            endpoints = provider.start()
            console_port = free_port()
            settings = console.service_settings(console_port)
            services = start_services(endpoints, session=provider.session, settings=settings)
            manager = console.start_beside(services, console_port)
            print("\nTessera is up:")
            if manager is not None:
                print(f"  {'console':<12}   {manager.url}   the Manager (web console)")
            for name in services.names:
                url = services.url(name)
                links = f"docs {url}/docs   asyncapi {url}/asyncapi.json   metrics {url}/metrics"
                print(f"  {name:<12}   {url}   {links}")
            _print_infra(endpoints)
            print(f"  logs           {provider.session.layout.logs}")
            print("Ctrl-C (or `./dev down` from another terminal) stops everything.", flush=True)
            _wait_forever(_watch(services))
        finally:
            if manager is not None:
                manager.stop()
            if services is not None:
                services.stop()
            provider.stop()
    return 0


def infra() -> int:
    """Start only the infrastructure; print it as ``export`` lines; run until Ctrl-C or SIGTERM."""
    provider = select_provider(DEFAULT_RUN)
    with _stoppable():
        try:
            endpoints = provider.start()
            env = dict(endpoints.external_env())
            for name in SERVICES:
                env |= {
                    k: v for k, v in service_env(name, endpoints, {}).items() if not k.endswith("HTTP_PORT")
                }
            lines = [f"export {key}={shlex.quote(value)}" for key, value in env.items()]
            env_file = provider.session.layout.run_dir / "infra.env"
            env_file.write_text("\n".join(lines) + "\n")
            print("\n" + "\n".join(lines))
            print(f"\n(also in {env_file}; `source` it in another shell.) Ctrl-C stops the infrastructure.")
            sys.stdout.flush()
            _wait_forever(lambda: None)
        finally:
            provider.stop()
    return 0


def down() -> int:
    """Stop what earlier runs left running."""
    if stop_all_runs(Layout.for_run(DEFAULT_RUN)) == 0:
        progress("down", "nothing was running")
    return 0


def _against_suite(run: Callable[[Endpoints, RunningServices], int]) -> int:
    """Start everything, run ``run`` against it, stop everything."""
    provider = select_provider(DEFAULT_RUN)
    services: RunningServices | None = None
    manager: console.RunningConsole | None = None
    code = 130
    with _stoppable():
        try:
            endpoints = provider.start()
            console_port = free_port()
            settings = console.service_settings(console_port)
            services = start_services(endpoints, session=provider.session, settings=settings)
            manager = console.start_beside(services, console_port)
            if manager is not None:
                print(f"\n  the Manager (web console): {manager.url}", flush=True)
            code = run(endpoints, services)
        finally:
            if manager is not None:
                manager.stop()
            if services is not None:
                services.stop()
            provider.stop()
    return code


def demo() -> int:
    """Start everything, tell the billing-mode story (``tessera_devtools.demo``), stop everything."""
    from tessera_devtools import demo as the_demo

    return _against_suite(the_demo.main)


def bench(args: Sequence[str] = ()) -> int:
    """Start everything, run the benchmarks (``tessera_devtools.bench``), stop everything."""
    from tessera_devtools import bench as measurements

    outcome = [130]  # stays 130 when Ctrl-C or SIGTERM stopped it
    with _stoppable():
        outcome[0] = measurements.main(args)
    return outcome[0]


def faults(names: Sequence[str] = ()) -> int:
    """Start everything, run the fault scenarios (``tessera_devtools.faults``), stop everything."""
    from tessera_devtools.faults.runner import main as run_faults

    outcome = [130]
    with _stoppable():
        outcome[0] = run_faults(names)
    return outcome[0]


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch ``argv[0]`` to its command; errors of a component print its log tail and exit 1."""
    args = list(sys.argv[1:] if argv is None else argv)
    command, rest = (args[0], args[1:]) if args else ("help", [])
    commands: dict[str, Callable[[], int]] = {
        "up": up,
        "infra": infra,
        "down": down,
        "demo": demo,
        "bench": bench,
    }
    try:
        if command == "test":
            from tessera_devtools.testrun import main as run_tests

            return run_tests(rest)
        if command == "openapi":
            from tessera_devtools.openapi_files import main as write_openapi

            return write_openapi(rest)
        if command == "faults":
            return faults(rest)
        if command == "bench":
            return bench(rest)
        if command in commands and not rest:
            return commands[command]()
    except (ComponentError, RunBusyError, ValueError) as error:
        print(f"\nerror: {error}", file=sys.stderr)
        return 1
    if command not in ("help", "-h", "--help"):
        print(f"unknown command or arguments: {' '.join(args)}\n", file=sys.stderr)
        print(USAGE, end="", file=sys.stderr)
        return 2
    print(USAGE, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
