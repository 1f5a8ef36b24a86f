"""Where local state lives: ``<repo>/.local/{cache,run,logs}``, and free ports."""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DEFAULT_RUN = "dev"


def repo_root() -> Path:
    """The workspace root: ``$TESSERA_REPO_ROOT``, else the nearest parent of the cwd holding ``dev``."""
    override = os.environ.get("TESSERA_REPO_ROOT")
    if override:
        return Path(override).resolve()
    for candidate in (Path.cwd(), *Path.cwd().parents):
        if (candidate / "tools" / "devtools" / "pyproject.toml").is_file():
            return candidate
    return Path(__file__).resolve().parents[4]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Layout:
    """The folders of one run (``dev`` for ``./dev up``, ``test`` for a pytest session)."""

    root: Path
    run_name: str = DEFAULT_RUN

    @classmethod
    def for_run(cls, run_name: str = DEFAULT_RUN) -> Layout:
        """The layout of ``run_name`` in the current repository."""
        return cls(repo_root(), run_name)

    @property
    def local(self) -> Path:
        """``<repo>/.local``: everything here is git-ignored and disposable."""
        return self.root / ".local"

    @property
    def cache(self) -> Path:
        """Downloads reused between runs (Kafka jars, the stripe-mock binary)."""
        return self.local / "cache"

    @property
    def runs(self) -> Path:
        """The parent folder of every run's folder."""
        return self.local / "run"

    @property
    def run_dir(self) -> Path:
        """Data folders, pid files and ``state.json`` of this run."""
        return self.runs / self.run_name

    @property
    def logs(self) -> Path:
        """``.local/logs`` for the ``dev`` run, ``.local/logs/<run>`` for any other run."""
        base = self.local / "logs"
        return base if self.run_name == DEFAULT_RUN else base / self.run_name

    def log(self, component: str) -> Path:
        """The log file of one component (created with its folder)."""
        self.logs.mkdir(parents=True, exist_ok=True)
        return self.logs / f"{component}.log"

    def data(self, component: str) -> Path:
        """A component's data folder inside this run (created)."""
        path = self.run_dir / component
        path.mkdir(parents=True, exist_ok=True)
        return path


@contextmanager
def cache_lock(layout: Layout, name: str) -> Iterator[None]:
    """Hold an exclusive lock on ``.local/cache/<name>.lock`` (two runs never download at once)."""
    layout.cache.mkdir(parents=True, exist_ok=True)
    with (layout.cache / f"{name}.lock").open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def find_tool(name: str, env_home: str | None = None) -> str | None:
    """The path of a program: ``$<env_home>/bin/<name>`` when that variable is set, else the PATH's."""
    home = os.environ.get(env_home) if env_home else None
    if home and (Path(home) / "bin" / name).is_file():
        return str(Path(home) / "bin" / name)
    return shutil.which(name)
