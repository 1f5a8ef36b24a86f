"""`./dev test`: which folders it checks and how pytest's exit codes count."""

from pathlib import Path

from tessera_devtools.__main__ import main
from tessera_devtools.testrun import NO_TESTS_COLLECTED, _failed, existing, stages


def test_only_existing_folders_are_passed_in_order(tmp_path: Path) -> None:
    for folder in ("services/wallet/tests", "services/billing/tests", "tests", "libs/kit/tests"):
        (tmp_path / folder).mkdir(parents=True)
    found = existing(tmp_path, ("contracts/tests", "libs/kit/tests", "services/*/tests", "tests"))
    assert found == ["libs/kit/tests", "services/billing/tests", "services/wallet/tests", "tests"]


def test_pytest_gets_the_extra_arguments_last(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    title, command = stages(tmp_path, ["-k", "foo"])[-1]
    assert title == "pytest"
    assert command[-3:] == ["tests", "-k", "foo"]


def test_no_tests_collected_fails_only_pytest() -> None:
    assert _failed("pytest", NO_TESTS_COLLECTED)
    assert _failed("mypy", 1)
    assert not _failed("pytest", 0)


def test_help_lists_the_commands(capsys: object) -> None:
    assert main(["help"]) == 0
    assert main(["nonsense"]) == 2
