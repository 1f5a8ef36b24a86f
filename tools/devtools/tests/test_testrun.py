"""`./dev test`: which folders it checks and how pytest's exit codes count."""

from pathlib import Path

from tessera_devtools.__main__ import main
from tessera_devtools.testrun import NO_TESTS_COLLECTED, Stage, Tally, _failed, existing, stages


def test_only_existing_folders_are_passed_in_order(tmp_path: Path) -> None:
    for folder in ("services/wallet/tests", "services/billing/tests", "tests", "libs/kit/tests"):
        (tmp_path / folder).mkdir(parents=True)
    found = existing(tmp_path, ("contracts/tests", "libs/kit/tests", "services/*/tests", "tests"))
    assert found == ["libs/kit/tests", "services/billing/tests", "services/wallet/tests", "tests"]


def test_each_test_layer_runs_in_its_own_pytest_with_the_extra_arguments_last(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    layers = [stage for stage in stages(tmp_path, ["-k", "foo"]) if stage.results is not None]
    assert [stage.title for stage in layers] == ["unit tests", "integration tests", "end-to-end tests"]
    assert [stage.command[stage.command.index("-m", 3) + 1] for stage in layers] == [
        "not integration and not e2e",
        "integration",
        "e2e",
    ]
    assert all(stage.command[-2:] == ["-k", "foo"] for stage in layers)


def test_a_layer_without_tests_does_not_fail_but_a_failing_check_does() -> None:
    layer = Stage("unit tests", ["pytest"], Path("unit.xml"))
    assert not _failed(layer, NO_TESTS_COLLECTED)
    assert _failed(layer, 1)
    assert _failed(Stage("mypy", ["mypy"]), 1)
    assert not _failed(layer, 0)


def test_the_tally_sums_junit_reports(tmp_path: Path) -> None:
    report = tmp_path / "r.xml"
    report.write_text('<testsuites><testsuite tests="10" failures="1" errors="1" skipped="2"/></testsuites>')
    tally = Tally()
    tally.add(report)
    tally.add(report)
    assert tally.line() == "tests: 12 passed, 4 failed, 4 skipped"


def test_help_lists_the_commands(capsys: object) -> None:
    assert main(["help"]) == 0
    assert main(["nonsense"]) == 2
