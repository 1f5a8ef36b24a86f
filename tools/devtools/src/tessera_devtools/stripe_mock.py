"""stripe-mock (Stripe's API simulator), built once with ``go install`` and run as a local process."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from tessera_devtools.layout import Layout, cache_lock, find_tool, free_port
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

NAME = "stripe-mock"
MODULE = "github.com/stripe/stripe-mock"
VERSION = "v0.203.0"
READY_TIMEOUT = 60.0
TEST_KEY = "sk_test_123"


def stripe_mock_answers(base: str) -> bool:
    """Whether stripe-mock at ``base`` answers ``GET /v1/customers`` with the test key."""
    return http_ok(f"{base}/v1/customers", {"Authorization": f"Bearer {TEST_KEY}"})


def ensure_binary(layout: Layout, log_path: Path) -> Path:
    """The stripe-mock binary in ``.local/cache/bin``, built with ``go install`` on first use."""
    target = layout.cache / "bin" / f"stripe-mock-{VERSION}"
    if target.is_file():
        return target
    with cache_lock(layout, "stripe-mock"):
        if target.is_file():
            return target
        go = find_tool("go", "GOROOT")
        if go is None:
            raise ComponentError(NAME, "Go is not installed: it builds stripe-mock", log_path)
        progress(NAME, f"building {MODULE}@{VERSION} with go install (first run only)...")
        started = time.monotonic()
        gobin = layout.cache / f".stripe-mock-{VERSION}.partial"
        shutil.rmtree(gobin, ignore_errors=True)
        env = {**os.environ, "GOBIN": str(gobin)}
        run_step(NAME, [go, "install", f"{MODULE}@{VERSION}"], log_path, env=env, timeout=900)
        target.parent.mkdir(parents=True, exist_ok=True)
        (gobin / "stripe-mock").rename(target)
        shutil.rmtree(gobin, ignore_errors=True)
        progress(NAME, f"built {target} ({time.monotonic() - started:.1f} s)")
    return target


class LocalStripeMock:
    """stripe-mock serving plain HTTP on a free port of 127.0.0.1."""

    name = NAME

    def __init__(self, session: RunSession) -> None:
        self.session = session
        self.log_path = session.layout.log(NAME)
        self.process: ManagedProcess | None = None

    def start(self) -> str:
        """Start stripe-mock; return its API base URL once it answers."""
        self.log_path.write_bytes(b"")
        binary = ensure_binary(self.session.layout, self.log_path)
        started = time.monotonic()
        port, unused_https_port = free_port(), free_port()
        # -http-addr alone still opens HTTPS on :12112 (all interfaces); give HTTPS a loopback port instead.
        command = [
            str(binary),
            "-http-addr",
            f"127.0.0.1:{port}",
            "-https-addr",
            f"127.0.0.1:{unused_https_port}",
        ]
        self.process = spawn(NAME, command, self.log_path, append=True)
        self.session.add_process(self.process, match=binary.name)
        base = f"http://127.0.0.1:{port}"
        wait_until(
            NAME,
            lambda: stripe_mock_answers(base),
            timeout=READY_TIMEOUT,
            log_path=self.log_path,
            process=self.process,
        )
        progress(NAME, f"ready on {base} ({time.monotonic() - started:.1f} s)")
        return base

    def stop(self) -> None:
        """Stop stripe-mock."""
        if self.process is not None:
            self.process.stop()
            self.session.remove_process(self.process)
            self.process = None
