"""One Grafana dashboard per service: valid JSON, every query valid PromQL on metrics the kit exposes."""

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from ops_support import MONITORING, SERVICES, metric_catalogue, metric_names

DASHBOARDS = MONITORING / "dashboards"


def dashboard(service: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DASHBOARDS / f"{service}.json").read_text())
    return loaded


def expressions(board: dict[str, Any]) -> list[str]:
    return [target["expr"] for panel in board["panels"] for target in panel.get("targets", ())]


def test_there_is_a_dashboard_per_service_and_no_other() -> None:
    assert sorted(path.stem for path in DASHBOARDS.glob("*.json")) == sorted(SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_a_dashboard_shows_its_own_service_with_unique_panels(service: str) -> None:
    board = dashboard(service)
    assert board["uid"] == f"tessera-{service}"
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    assert expressions(board)
    assert [expr for expr in expressions(board) if f'job="{service}"' not in expr] == []


@pytest.mark.parametrize("service", SERVICES)
def test_a_dashboard_queries_only_metrics_the_services_expose(service: str) -> None:
    catalogue = metric_catalogue()
    unknown = {expr: sorted(metric_names(expr) - catalogue) for expr in expressions(dashboard(service))}
    assert {expr: names for expr, names in unknown.items() if names} == {}


def test_every_dashboard_query_is_valid_promql(promtool: str, tmp_path: Path) -> None:
    # promtool parses expressions only as rules: each query becomes a recording rule of a scratch file.
    queries = [expr for service in SERVICES for expr in expressions(dashboard(service))]
    rules = [{"record": f"dashboard:query_{number}", "expr": expr} for number, expr in enumerate(queries)]
    scratch = tmp_path / "dashboard-queries.yaml"
    scratch.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    checked = subprocess.run(
        [promtool, "check", "rules", str(scratch)], capture_output=True, text=True, timeout=120, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
