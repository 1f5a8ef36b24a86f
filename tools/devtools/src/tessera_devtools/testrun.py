"""``./dev test``: ruff, mypy, the contracts check, then each layer of tests on its own.

Unit tests run first (no infrastructure). Integration tests and end-to-end tests each run in their
own pytest session, so each starts its own Kafka and PostgreSQL: the end-to-end services never
read the records that integration tests left on the broker. The last line sums every layer.
"""

from __future__ import annotations

import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tessera_devtools.layout import repo_root

MYPY_DIRS = ("contracts/src", "libs/kit/src", "tools/devtools/src", "services/*/src")
TEST_DIRS = ("contracts/tests", "libs/kit/tests", "tools/devtools/tests", "services/*/tests", "tests")
CONTRACTS_MAIN = Path("contracts/src/tessera_events/__main__.py")
NO_TESTS_COLLECTED = 5
TEST_LAYERS = (
    ("unit tests", "not integration and not e2e"),
    ("integration tests", "integration"),
    ("end-to-end tests", "e2e"),
)
RESULTS_DIR = Path(".local/test-results")


@dataclass(frozen=True)
class Stage:
    """One step of ``./dev test``; ``results`` is the JUnit XML file a pytest stage writes."""

    title: str
    command: list[str]
    results: Path | None = None


@dataclass
class Tally:
    """Tests counted over every pytest stage."""

    passed: int = 0
    failed: int = 0
    skipped: int = 0

    def add(self, results: Path) -> None:
        """Add the counts of one JUnit XML report."""
        for suite in ET.parse(results).getroot().iter("testsuite"):
            tests, skipped = int(suite.get("tests", 0)), int(suite.get("skipped", 0))
            failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            self.passed += tests - skipped - failed
            self.failed += failed
            self.skipped += skipped

    def line(self) -> str:
        """The closing line: 'tests: N passed, N failed, N skipped'."""
        return f"tests: {self.passed} passed, {self.failed} failed, {self.skipped} skipped"


def existing(root: Path, patterns: Sequence[str]) -> list[str]:
    """The folders matching ``patterns`` (globs relative to ``root``) that exist, in order."""
    found: list[str] = []
    for pattern in patterns:
        found += [str(path.relative_to(root)) for path in sorted(root.glob(pattern)) if path.is_dir()]
    return found


def stages(root: Path, pytest_args: Sequence[str]) -> list[Stage]:
    """Every stage that applies to this checkout, in order."""
    python = sys.executable
    planned = [
        Stage("ruff check", [python, "-m", "ruff", "check", "."]),
        Stage("mypy", [python, "-m", "mypy", *existing(root, MYPY_DIRS)]),
    ]
    if (root / CONTRACTS_MAIN).is_file():
        planned.append(Stage("contracts check", [python, "-m", "tessera_events", "check"]))
    folders = existing(root, TEST_DIRS)
    for title, marker in TEST_LAYERS:
        results = root / RESULTS_DIR / f"{title.split()[0]}.xml"
        command = [python, "-m", "pytest", *folders, "-m", marker, f"--junitxml={results}", *pytest_args]
        planned.append(Stage(title, command, results))
    return planned


def _failed(stage: Stage, code: int) -> bool:
    """Whether a stage's exit code fails the run (a layer with no selected test does not)."""
    if stage.results is not None and code == NO_TESTS_COLLECTED:
        return False
    return code != 0


def main(pytest_args: Sequence[str] = ()) -> int:
    """Run every stage in order; return the first failing stage's exit code, else 0."""
    root = repo_root()
    started = time.monotonic()
    planned = stages(root, pytest_args)
    tally = Tally()
    code = 0
    for number, stage in enumerate(planned, start=1):
        print(f"\n==> [{number}/{len(planned)}] {stage.title}", flush=True)
        stage_started = time.monotonic()
        if stage.results is not None:
            stage.results.unlink(missing_ok=True)
        code = subprocess.run(stage.command, cwd=root, check=False).returncode
        print(f"==> {stage.title}: exit {code} ({time.monotonic() - stage_started:.1f} s)", flush=True)
        if stage.results is not None and stage.results.is_file():
            tally.add(stage.results)
        if _failed(stage, code):
            break
        code = 0
    if code == 0 and tally.passed == 0:
        print("no test ran at all, which counts as a failure", flush=True)
        code = NO_TESTS_COLLECTED
    verdict = "passed" if code == 0 else "FAILED"
    print(f"\n==> ./dev test {verdict} in {time.monotonic() - started:.1f} s", flush=True)
    print(tally.line(), flush=True)
    return code
