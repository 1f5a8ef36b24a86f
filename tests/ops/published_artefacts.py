"""The contracts wheel as a subscriber gets it, and a virtual environment holding only that wheel and
the example subscriber's requirements (no workspace package), for running published code as-is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ops_support import ROOT

EXAMPLE = ROOT / "examples" / "subscriber"
# The README's JSON Schema snippet validates with it (pinned like the workspace's copy).
SNIPPET_REQUIREMENTS = ("jsonschema==4.26.0",)


def uv() -> str:
    """The uv that runs this session (``uv run`` names itself in $UV), else the one on PATH."""
    found = os.environ.get("UV") or shutil.which("uv")
    if found is None:
        raise RuntimeError("uv is not installed: ./dev installs it")
    return found


def run(command: list[str], cwd: Path = ROOT, timeout: float = 600) -> str:
    """Run a command; its output, or an error carrying it."""
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def build_wheel(out_dir: Path) -> Path:
    """``uv build --wheel contracts``: the tessera-events wheel, as it would be published."""
    run([uv(), "build", "--wheel", "contracts", "--out-dir", str(out_dir)])
    (wheel,) = out_dir.glob("tessera_events-*.whl")
    return wheel


@dataclass(frozen=True)
class SubscriberEnvironment:
    """A virtual environment with the wheel, the example's requirements and the snippets' ones."""

    wheel: Path
    python: Path

    def run_python(self, code: str, timeout: float = 120) -> str:
        """Run ``code`` with the environment's interpreter, outside the repository (isolated mode)."""
        return run([str(self.python), "-I", "-c", code], cwd=self.wheel.parent, timeout=timeout)


def subscriber_environment(root: Path) -> SubscriberEnvironment:
    """Build the wheel and a fresh environment for it under ``root``."""
    wheel = build_wheel(root / "dist")
    venv = root / "venv"
    run([uv(), "venv", "--quiet", "--python", sys.executable, str(venv)])
    python = venv / "bin" / "python"
    requirements = ["-r", str(EXAMPLE / "requirements.txt"), *SNIPPET_REQUIREMENTS]
    run([uv(), "pip", "install", "--quiet", "--python", str(python), str(wheel), *requirements])
    return SubscriberEnvironment(wheel=wheel, python=python)
