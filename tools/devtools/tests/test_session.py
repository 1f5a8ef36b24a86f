"""Run folders, their lock and state.json, and `./dev down` stopping what a dead run left."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tessera_devtools.process import pid_alive, spawn
from tessera_devtools.session import STATE_FILE, RunBusyError, RunSession, stop_all_runs


@pytest.fixture(autouse=True)
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TESSERA_REPO_ROOT", str(tmp_path))
    return tmp_path


def test_a_busy_run_is_refused_or_replaced_by_a_disposable_one() -> None:
    first = RunSession.open("dev")
    try:
        with pytest.raises(RunBusyError, match="in use"):
            RunSession.open("dev")
        second = RunSession.open("dev", unique_if_busy=True)
        assert second.layout.run_name == f"dev-{os.getpid()}"
        second.close()
        assert not second.layout.run_dir.exists()
    finally:
        first.close()
    assert (first.layout.run_dir / STATE_FILE).is_file()


def test_state_json_records_processes_and_their_pid_files(repo: Path) -> None:
    session = RunSession.open("dev")
    process = spawn(
        "sleeper", [sys.executable, "-c", "import time; time.sleep(60)"], session.layout.log("sleeper")
    )
    try:
        session.add_process(process, match="time.sleep(60)")
        state = json.loads((session.layout.run_dir / STATE_FILE).read_text())
        assert state["processes"][0]["pid"] == process.pid
        assert (session.layout.run_dir / "sleeper.pid").read_text().strip() == str(process.pid)
    finally:
        process.stop()
        session.remove_process(process)
        session.close()


def test_down_stops_the_processes_of_a_run_whose_owner_died(repo: Path) -> None:
    run_dir = repo / ".local" / "run" / "dev"
    run_dir.mkdir(parents=True)
    orphan = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    state = {
        "owner_pid": 0,
        "processes": [{"name": "sleeper", "pid": orphan.pid, "match": "time.sleep(60)", "signal": "SIGTERM"}],
    }
    (run_dir / STATE_FILE).write_text(json.dumps(state))
    assert stop_all_runs(RunSession.open("other").layout) == 1
    orphan.wait(timeout=5)
    assert not pid_alive(orphan.pid)


def test_down_never_signals_a_reused_pid_that_runs_something_else(repo: Path) -> None:
    run_dir = repo / ".local" / "run" / "dev"
    run_dir.mkdir(parents=True)
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    state = {
        "processes": [{"name": "kafka", "pid": bystander.pid, "match": "kafka.Kafka", "signal": "SIGTERM"}]
    }
    (run_dir / STATE_FILE).write_text(json.dumps(state))
    try:
        assert stop_all_runs(RunSession.open("other").layout) == 0
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


def test_down_leaves_a_live_test_session_alone(repo: Path) -> None:
    session = RunSession.open("test")
    process = spawn("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"], session.layout.log("s"))
    session.add_process(process, match="time.sleep(60)")
    try:
        assert stop_all_runs(RunSession.open("dev").layout) == 0
        assert process.alive()
    finally:
        process.stop()
        session.remove_process(process)
        session.close()


def test_only_the_newest_logs_of_disposable_runs_are_kept(repo: Path) -> None:
    logs = repo / ".local" / "logs"
    for number in range(8):
        folder = logs / f"test-{1000 + number}"
        folder.mkdir(parents=True)
        os.utime(folder, (number, number))
    (logs / "test").mkdir()
    RunSession.open("dev").close()
    assert sorted(p.name for p in logs.iterdir()) == ["test", *(f"test-{1000 + n}" for n in range(3, 8))]
