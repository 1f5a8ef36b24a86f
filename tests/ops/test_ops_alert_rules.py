"""The alert rules load in Prometheus, fire when they should (promtool's unit tests), use only metrics
the services expose, and each links a runbook that exists."""

import subprocess
from pathlib import Path
from typing import Any

import yaml
from ops_support import MONITORING, ROOT, metric_catalogue, metric_names

RULES = MONITORING / "rules" / "tessera-alerts.yaml"
RUNBOOKS = ROOT / "docs" / "runbooks"
RUNBOOK_BASE = "https://tessera.dev/docs/runbooks/"


def alert_rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text())
    return [rule for group in document["groups"] for rule in group["rules"] if "alert" in rule]


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def test_the_rule_file_is_valid_for_prometheus(promtool: str) -> None:
    checked = run([promtool, "check", "rules", str(RULES)], MONITORING)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_alert_fires_on_its_unit_test_series_and_only_then(promtool: str) -> None:
    tested = run([promtool, "test", "rules", "tests/tessera-alerts.test.yaml"], MONITORING)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_the_example_prometheus_configuration_is_valid(promtool: str) -> None:
    checked = run([promtool, "check", "config", "prometheus.yml"], MONITORING)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_alert_has_a_unit_test() -> None:
    tests = (MONITORING / "tests" / "tessera-alerts.test.yaml").read_text()
    untested = [rule["alert"] for rule in alert_rules() if f"alertname: {rule['alert']}" not in tests]
    assert untested == []


def test_alerts_use_only_metrics_the_services_expose() -> None:
    catalogue = metric_catalogue()
    selected = {rule["alert"]: metric_names(rule["expr"]) for rule in alert_rules()}
    assert [alert for alert, names in selected.items() if not names] == []
    assert {alert: sorted(names - catalogue) for alert, names in selected.items() if names - catalogue} == {}


def test_every_alert_links_its_runbook_and_every_runbook_has_an_alert() -> None:
    alerts = {rule["alert"]: rule["annotations"]["runbook_url"] for rule in alert_rules()}
    assert {name: url for name, url in alerts.items() if url != f"{RUNBOOK_BASE}{name}.md"} == {}
    pages = {path.stem for path in RUNBOOKS.glob("Tessera*.md")}
    assert pages == set(alerts)
    index = (RUNBOOKS / "README.md").read_text()
    assert [name for name in alerts if f"[{name}.md]({name}.md)" not in index] == []


def test_every_alert_has_a_severity_summary_and_description() -> None:
    incomplete = [
        rule["alert"]
        for rule in alert_rules()
        if rule["labels"].get("severity") not in {"warning", "critical"}
        or not {"summary", "description"} <= set(rule["annotations"])
    ]
    assert incomplete == []
