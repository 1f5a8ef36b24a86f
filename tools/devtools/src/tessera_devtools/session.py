"""One run's folder, its lock and its ``state.json`` (endpoints and pids), so ``./dev down`` can stop it."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from tessera_devtools.layout import DEFAULT_RUN, Layout
from tessera_devtools.process import ManagedProcess, pid_alive, pid_matches, progress, stop_pid

STATE_FILE = "state.json"
_DISPOSABLE = re.compile(r".+-\d+$")
_OWNER_GRACE_SECONDS = 40.0


class RunBusyError(RuntimeError):
    """Another live process owns this run."""


def _lock_path(layout: Layout) -> Path:
    return layout.runs / f"{layout.run_name}.lock"


def _try_lock(path: Path) -> IO[str] | None:
    """An open, exclusively locked handle on ``path``, or None when another process holds the lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def _read_state(run_dir: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads((run_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return data


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n")
    tmp.replace(path)


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


class RunSession:
    """The live owner of one run: holds its lock and keeps ``state.json`` current."""

    def __init__(self, layout: Layout, lock: IO[str], *, disposable: bool = False) -> None:
        self.layout = layout
        self.disposable = disposable
        self._lock = lock
        self._mutex = threading.Lock()
        self._state: dict[str, Any] = {
            "run": layout.run_name,
            "owner_pid": os.getpid(),
            "started_at": datetime.now(UTC).isoformat(),
            "endpoints": {},
            "services": {},
            "processes": [],
            "cleanup": [],
        }

    @classmethod
    def open(cls, run_name: str = DEFAULT_RUN, *, unique_if_busy: bool = False) -> RunSession:
        """Take the run's lock, stop what a dead earlier owner left behind, and start a fresh folder.

        When another live process owns ``run_name``, raise RunBusyError, or with ``unique_if_busy``
        use ``<run_name>-<pid>`` instead.
        """
        layout = Layout.for_run(run_name)
        lock = _try_lock(_lock_path(layout))
        disposable = False
        if lock is None and unique_if_busy:
            layout, disposable = Layout.for_run(f"{run_name}-{os.getpid()}"), True
            lock = _try_lock(_lock_path(layout))
        if lock is None:
            owner = _read_state(layout.run_dir).get("owner_pid", "?")
            raise RunBusyError(f"run {run_name!r} is in use by pid {owner}: `./dev down` stops it")
        _discard_run(layout.run_dir)
        _prune_disposable_logs(layout.local / "logs")
        layout.run_dir.mkdir(parents=True)
        session = cls(layout, lock, disposable=disposable)
        session.save()
        return session

    def save(self) -> None:
        """Write ``state.json`` atomically."""
        with self._mutex:
            _write_json(self.layout.run_dir / STATE_FILE, self._state)

    def add_process(self, process: ManagedProcess, match: str) -> None:
        """Record a child (and write its pid file); ``match`` is a piece of its command line."""
        entry = {"name": process.name, "pid": process.pid, "match": match, "signal": process.stop_signal.name}
        with self._mutex:
            self._state["processes"].append(entry)
        (self.layout.run_dir / f"{process.name}.pid").write_text(f"{process.pid}\n")
        self.save()

    def remove_process(self, process: ManagedProcess) -> None:
        """Forget a child that has stopped."""
        with self._mutex:
            self._state["processes"] = [p for p in self._state["processes"] if p["pid"] != process.pid]
        (self.layout.run_dir / f"{process.name}.pid").unlink(missing_ok=True)
        self.save()

    def add_cleanup(self, path: Path) -> None:
        """A folder outside the run folder to delete when the run ends."""
        with self._mutex:
            self._state["cleanup"].append(str(path))
        self.save()

    def set_endpoints(self, endpoints: dict[str, Any]) -> None:
        """Record the infrastructure's endpoints."""
        with self._mutex:
            self._state["endpoints"] = endpoints
        self.save()

    def set_service_url(self, name: str, url: str) -> None:
        """Record where a service listens."""
        with self._mutex:
            self._state["services"][name] = url
        self.save()

    def close(self) -> None:
        """Release the run's lock (after every process stopped); its data stays until the run starts again.

        A disposable run (``<name>-<pid>``, made because the usual one was busy) is deleted instead.
        """
        stop_leftovers(self.layout.run_dir)
        if self.disposable:
            _discard_run(self.layout.run_dir)
            _lock_path(self.layout).unlink(missing_ok=True)
        self._lock.close()


def stop_leftovers(run_dir: Path) -> list[str]:
    """Stop every process recorded in ``run_dir/state.json`` that still runs; return their names."""
    stopped = []
    for entry in reversed(_read_state(run_dir).get("processes", [])):
        pid, match = int(entry["pid"]), str(entry["match"])
        if pid != os.getpid() and pid_matches(pid, match):
            stop_pid(pid, signal.Signals[entry.get("signal", "SIGTERM")])
            stopped.append(str(entry["name"]))
    return stopped


def _discard_run(run_dir: Path) -> None:
    """Stop what ``run_dir`` recorded, then delete it and the folders it named for cleanup."""
    stop_leftovers(run_dir)
    for path in _read_state(run_dir).get("cleanup", []):
        _remove_tree(Path(path))
    _remove_tree(run_dir)


def _prune_disposable_logs(logs: Path, keep: int = 5) -> None:
    """Delete the log folders of all but the newest ``keep`` disposable runs (``<name>-<pid>``)."""
    folders = [path for path in logs.glob("*-*") if path.is_dir() and _DISPOSABLE.match(path.name)]
    for folder in sorted(folders, key=lambda path: path.stat().st_mtime, reverse=True)[keep:]:
        _remove_tree(folder)


def _wait_for_owner(owner: int, lock_file: Path) -> None:
    deadline = time.monotonic() + _OWNER_GRACE_SECONDS
    while pid_alive(owner) and time.monotonic() < deadline:
        handle = _try_lock(lock_file)
        if handle is not None:
            handle.close()
            return
        time.sleep(0.2)


def _stop_run(run_dir: Path, *, ask_owner: bool) -> bool:
    """Stop one run; a run whose owner lives is left alone unless ``ask_owner``. True if anything stopped."""
    owner = int(_read_state(run_dir).get("owner_pid", 0))
    lock_file = run_dir.parent / f"{run_dir.name}.lock"
    handle = _try_lock(lock_file)
    asked = False
    if handle is None and not ask_owner:
        progress("down", f"run {run_dir.name!r} belongs to the live process {owner}: left alone")
        return False
    if handle is None and owner not in (0, os.getpid()) and pid_alive(owner):
        progress("down", f"asking the owner of run {run_dir.name!r} (pid {owner}) to stop")
        os.kill(owner, signal.SIGTERM)
        _wait_for_owner(owner, lock_file)
        asked = True
    stopped = stop_leftovers(run_dir)
    if stopped:
        progress("down", f"stopped {', '.join(stopped)} of run {run_dir.name!r}")
    handle = handle or _try_lock(lock_file)
    if handle is not None and _DISPOSABLE.match(run_dir.name):
        _discard_run(run_dir)
        lock_file.unlink(missing_ok=True)
    if handle is not None:
        handle.close()
    return asked or bool(stopped)


def stop_all_runs(layout: Layout) -> int:
    """Stop ``layout``'s run (asking its live owner, e.g. ``./dev up``, to stop) and every orphaned process.

    Other runs whose owner still lives (a pytest session, say) are left alone. Returns how many runs had
    something to stop.
    """
    runs = sorted(state_file.parent for state_file in layout.runs.glob(f"*/{STATE_FILE}"))
    return sum(_stop_run(run_dir, ask_owner=run_dir.name == layout.run_name) for run_dir in runs)
