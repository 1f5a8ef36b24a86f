"""``./dev test``: ruff, mypy, the contracts check and pytest, stopping at the first failure."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from tessera_devtools.layout import repo_root

MYPY_DIRS = ("contracts/src", "libs/kit/src", "tools/devtools/src", "services/*/src")
TEST_DIRS = ("contracts/tests", "libs/kit/tests", "tools/devtools/tests", "services/*/tests", "tests")
CONTRACTS_MAIN = Path("contracts/src/tessera_events/__main__.py")
NO_TESTS_COLLECTED = 5


def existing(root: Path, patterns: Sequence[str]) -> list[str]:
    """The folders matching ``patterns`` (globs relative to ``root``) that exist, in order."""
    found: list[str] = []
    for pattern in patterns:
        found += [str(path.relative_to(root)) for path in sorted(root.glob(pattern)) if path.is_dir()]
    return found


def stages(root: Path, pytest_args: Sequence[str]) -> list[tuple[str, list[str]]]:
    """(title, command) of each stage that applies to this checkout."""
    python = sys.executable
    planned = [
        ("ruff check", [python, "-m", "ruff", "check", "."]),
        ("mypy", [python, "-m", "mypy", *existing(root, MYPY_DIRS)]),
    ]
    if (root / CONTRACTS_MAIN).is_file():
        planned.append(("contracts check", [python, "-m", "tessera_events", "check"]))
    planned.append(("pytest", [python, "-m", "pytest", *existing(root, TEST_DIRS), *pytest_args]))
    return planned


def _failed(title: str, code: int) -> bool:
    if title == "pytest" and code == NO_TESTS_COLLECTED:
        print("pytest collected no tests: no test ran at all, which counts as a failure", flush=True)
        return True
    return code != 0


def main(pytest_args: Sequence[str] = ()) -> int:
    """Run every stage in order; return the first failing stage's exit code, else 0."""
    root = repo_root()
    started = time.monotonic()
    planned = stages(root, pytest_args)
    code = 0
    for number, (title, command) in enumerate(planned, start=1):
        print(f"\n==> [{number}/{len(planned)}] {title}", flush=True)
        stage_started = time.monotonic()
        code = subprocess.run(command, cwd=root, check=False).returncode
        print(f"==> {title}: exit {code} ({time.monotonic() - stage_started:.1f} s)", flush=True)
        if _failed(title, code):
            code = code or 1
            break
        code = 0
    verdict = "passed" if code == 0 else "FAILED"
    print(f"\n==> ./dev test {verdict} in {time.monotonic() - started:.1f} s", flush=True)
    return code
