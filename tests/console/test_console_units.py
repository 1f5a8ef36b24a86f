"""The console's own checks, run by ``./dev test`` with the unit tests: TypeScript's type check and
the Vitest suite (money and dates per language, form checks, the proxy's routing, every message
in five languages). ``npm ci`` installs the pinned packages first when they are missing."""

import subprocess

from tessera_devtools import console
from tessera_devtools.layout import Layout


def npm(*arguments: str) -> subprocess.CompletedProcess[str]:
    """Run an npm script in console/, capturing its output."""
    return subprocess.run(
        ["npm", *arguments],
        cwd=console.console_dir(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_console_type_checks_and_its_unit_tests_pass() -> None:
    console.install(Layout.for_run("test").log("console-npm"))

    typecheck = npm("run", "--silent", "typecheck")
    units = npm("test", "--silent")

    assert typecheck.returncode == 0, typecheck.stdout + typecheck.stderr
    assert units.returncode == 0, units.stdout[-4000:] + units.stderr[-2000:]
    print(units.stdout)
