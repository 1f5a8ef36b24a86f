"""The web console ("the Manager", ``console/``) as a local process next to the five services.

``npm ci`` installs its packages from ``console/package-lock.json`` when they are missing or stale,
``npm run build`` writes ``console/dist`` when a source is newer than the build, and
``node server/server.mjs`` serves the build with a same-origin proxy to each service's HTTP API.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tessera_devtools.layout import Layout, free_port, repo_root
from tessera_devtools.process import (
    ComponentError,
    ManagedProcess,
    http_ok,
    progress,
    run_step,
    spawn,
    wait_until,
)
from tessera_devtools.session import RunSession

if TYPE_CHECKING:
    from tessera_devtools.services import RunningServices

NAME = "console"
READY_TIMEOUT = 30.0
INSTALL_TIMEOUT = 900.0
BUILD_INPUTS = ("src", "public", "index.html", "vite.config.ts", "package-lock.json")


def console_dir() -> Path:
    """The console's package folder in this checkout."""
    return repo_root() / "console"


def available() -> bool:
    """Whether this checkout has the console and this machine has Node.js to run it."""
    return (console_dir() / "package.json").is_file() and shutil.which("node") is not None


def _newest(paths: list[Path]) -> float:
    times = [
        p.stat().st_mtime for root in paths if root.exists() for p in [root, *root.rglob("*")] if p.is_file()
    ]
    return max(times, default=0.0)


def install(log_path: Path) -> None:
    """``npm ci`` when node_modules is missing or older than the lock file."""
    folder = console_dir()
    marker = folder / "node_modules" / ".package-lock.json"
    lock = folder / "package-lock.json"
    if marker.is_file() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    progress(NAME, "installing npm packages (npm ci)...")
    command = ["npm", "ci", "--no-audit", "--no-fund"]
    run_step(NAME, command, log_path, cwd=folder, env=dict(os.environ), timeout=INSTALL_TIMEOUT)


def build(log_path: Path) -> None:
    """Install, then ``npm run build`` when a source is newer than ``dist/index.html``."""
    install(log_path)
    folder = console_dir()
    built = folder / "dist" / "index.html"
    if built.is_file() and built.stat().st_mtime >= _newest([folder / name for name in BUILD_INPUTS]):
        return
    progress(NAME, "building (npm run build)...")
    run_step(
        NAME, ["npm", "run", "build"], log_path, cwd=folder, env=dict(os.environ), timeout=INSTALL_TIMEOUT
    )


def console_env(service_urls: Mapping[str, str], port: int) -> dict[str, str]:
    """The server's settings: where it listens and where each service's API is."""
    env = {"CONSOLE_HOST": "127.0.0.1", "CONSOLE_PORT": str(port)}
    env |= {f"CONSOLE_{name.upper()}_URL": url for name, url in service_urls.items()}
    return env


@dataclass
class RunningConsole:
    """The console's server process and its address."""

    url: str
    process: ManagedProcess
    session: RunSession | None

    def stop(self) -> None:
        """SIGTERM the server (SIGKILL after 10 s)."""
        self.process.stop()
        if self.session is not None:
            self.session.remove_process(self.process)


def start_console(
    service_urls: Mapping[str, str],
    layout: Layout,
    *,
    session: RunSession | None = None,
    port: int | None = None,
) -> RunningConsole:
    """Build the console if needed and serve it on ``port`` (a free one by default)."""
    started = time.monotonic()
    log_path = layout.log(NAME)
    log_path.write_bytes(b"")
    build(log_path)
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, **console_env(service_urls, port)}
    command = [shutil.which("node") or "node", str(console_dir() / "server" / "server.mjs")]
    process = spawn(NAME, command, log_path, env=env, cwd=console_dir(), append=True)
    if session is not None:
        session.add_process(process, match="server/server.mjs")
        session.set_service_url(NAME, url)
    try:
        wait_until(
            NAME, lambda: http_ok(f"{url}/healthz"), timeout=READY_TIMEOUT, log_path=log_path, process=process
        )
    except ComponentError:
        process.stop()
        raise
    progress(NAME, f"ready on {url} ({time.monotonic() - started:.1f} s)")
    return RunningConsole(url, process, session)


def service_settings(port: int) -> dict[str, str]:
    """What the services must know of a console on ``port``: notify points the offer-request cancel
    link at the console's confirmation page (a GET there cancels nothing)."""
    return {"NOTIFY_PARTNERSHIP_PUBLIC_URL": f"http://127.0.0.1:{port}"} if available() else {}


def start_beside(services: RunningServices, port: int) -> RunningConsole | None:
    """The console for running ``services`` on ``port``, or None (saying why) when it cannot start:
    the suite stays usable through its APIs without it."""
    if not available():
        progress(NAME, "skipped: no console/ folder or no Node.js on this machine")
        return None
    urls = {name: services.url(name) for name in services.names}
    try:
        return start_console(urls, services.layout, session=services.session, port=port)
    except ComponentError as error:
        progress(NAME, f"not started: {error}")
        return None
