"""Child processes with log files, readiness probes, progress lines and errors that show the log."""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

TAIL_LINES = 20
_POLL_SECONDS = 0.2
_cancelled = threading.Event()


def progress(component: str, message: str) -> None:
    """Print one progress line, e.g. ``[kafka] ready on 127.0.0.1:9092 (4.2 s)``."""
    sys.stdout.write(f"[{component}] {message}\n")
    sys.stdout.flush()


def tail_log(path: Path | None, lines: int = TAIL_LINES) -> str:
    """The last ``lines`` lines of a log file ('' when there is none)."""
    if path is None or not path.is_file():
        return ""
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        return "".join(deque(handle, maxlen=lines))


class ComponentError(RuntimeError):
    """A component failed to install, start or answer; the message names its log and quotes its tail."""

    def __init__(self, component: str, problem: str, log_path: Path | None = None) -> None:
        self.component = component
        self.problem = problem
        self.log_path = log_path
        message = f"[{component}] {problem}"
        if log_path is not None:
            tail = tail_log(log_path).rstrip()
            quoted = "\n".join(f"    {line}" for line in tail.splitlines()) or "    (empty)"
            message += f"\n  log file: {log_path}\n  last {TAIL_LINES} lines:\n{quoted}"
        super().__init__(message)


def _user_ids(user: str | None) -> tuple[str | None, int | None, list[int] | None]:
    """Popen's (user, group, extra_groups) to run as ``user`` (all None to stay who we are)."""
    if user is None:
        return None, None, None
    return user, pwd.getpwnam(user).pw_gid, []


@dataclass
class ManagedProcess:
    """One child process, its log file and how to stop it."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    stop_signal: signal.Signals = signal.SIGTERM
    stop_timeout: float = 10.0

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.popen.pid

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.popen.poll() is None

    def stop(self) -> None:
        """Send the stop signal, wait ``stop_timeout`` seconds, then SIGKILL."""
        if not self.alive():
            return
        self.popen.send_signal(self.stop_signal)
        try:
            self.popen.wait(self.stop_timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL the process and reap it."""
        if self.alive():
            self.popen.kill()
        self.popen.wait()


def spawn(
    name: str,
    command: Sequence[str],
    log_path: Path,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
    stop_signal: signal.Signals = signal.SIGTERM,
    append: bool = False,
) -> ManagedProcess:
    """Start ``command`` in its own session, stdout and stderr going to ``log_path``."""
    run_as, group, extra_groups = _user_ids(user)
    with log_path.open("ab" if append else "wb") as log:
        popen = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
            user=run_as,
            group=group,
            extra_groups=extra_groups,
        )
    return ManagedProcess(name, popen, log_path, stop_signal)


def run_step(
    component: str,
    command: Sequence[str],
    log_path: Path,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
    timeout: float = 600.0,
) -> None:
    """Run ``command`` to completion, appending its output to ``log_path``; raise if it fails."""
    with log_path.open("ab") as log:
        log.write(f"$ {' '.join(command)}\n".encode())
    try:
        process = spawn(component, command, log_path, env=env, cwd=cwd, user=user, append=True)
    except OSError as error:
        raise ComponentError(component, f"cannot run {command[0]}: {error}", log_path) from error
    code = _wait_for_exit(process, timeout)
    if code != 0:
        raise ComponentError(component, f"{Path(command[0]).name} failed (exit {code})", log_path)


def _wait_for_exit(process: ManagedProcess, timeout: float) -> int:
    """The exit code; the process group is killed on time-out or :func:`cancel_waits`."""
    deadline = time.monotonic() + timeout
    while (code := process.popen.poll()) is None:
        if _cancelled.is_set() or time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.popen.wait()
            why = "cancelled" if _cancelled.is_set() else f"timed out after {timeout:.0f} s"
            raise ComponentError(process.name, why, process.log_path)
        time.sleep(_POLL_SECONDS)
    return code


def cancel_waits() -> None:
    """Make every :func:`wait_until` in this process give up (e.g. on Ctrl-C during start-up)."""
    _cancelled.set()


def wait_until(
    component: str,
    probe: Callable[[], bool],
    *,
    timeout: float,
    log_path: Path | None,
    process: ManagedProcess | None = None,
) -> float:
    """Poll ``probe`` until it returns True; return the seconds waited, or raise a ComponentError."""
    started = time.monotonic()
    while True:
        if probe():
            return time.monotonic() - started
        if _cancelled.is_set():
            raise ComponentError(component, "start-up cancelled", log_path)
        if process is not None and not process.alive():
            code = process.popen.returncode
            raise ComponentError(component, f"exited with code {code} before it was ready", log_path)
        if time.monotonic() - started > timeout:
            raise ComponentError(component, f"not ready after {timeout:.0f} s", log_path)
        time.sleep(_POLL_SECONDS)


def tcp_open(host: str, port: int) -> bool:
    """Whether something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def http_ok(url: str, headers: Mapping[str, str] | None = None) -> bool:
    """Whether a GET of ``url`` answers with a 2xx status."""
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=2.0) as response:
            status: int = response.status
            return 200 <= status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (zombies excluded where /proc tells)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    if stat.is_file():
        try:
            return stat.read_text().rsplit(")", 1)[-1].split()[0] != "Z"
        except OSError:
            return False
    return True


def pid_matches(pid: int, needle: str) -> bool:
    """Whether process ``pid`` is alive and its command line contains ``needle`` (guards against reuse)."""
    if not pid_alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.is_file():
        try:
            return needle in cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return False
    result = subprocess.run(
        ["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True, check=False
    )
    return needle in result.stdout


def stop_pid(pid: int, stop_signal: signal.Signals, timeout: float = 10.0) -> None:
    """Signal a process we did not start in this interpreter, wait, then SIGKILL it."""
    try:
        os.kill(pid, stop_signal)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(_POLL_SECONDS)
    if pid_alive(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return


def wait_for_signal() -> None:
    """Block until SIGTERM or SIGINT arrives."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
