"""/metrics carries the process's own figures (memory, CPU, file descriptors), so memory alerts and
dashboards need no node exporter."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from ops_support import metric_names

from tessera_kit.http import install_operational_routes
from tessera_kit.metrics import Metrics


def scrape() -> str:
    app = FastAPI()
    install_operational_routes(app, Metrics(), dict, dict)
    response = TestClient(app).get("/metrics")
    assert response.status_code == 200
    return response.text


def test_metrics_expose_the_resident_memory_of_the_process() -> None:
    samples = {line.split(" ")[0] for line in scrape().splitlines() if not line.startswith("#")}
    assert "process_resident_memory_bytes" in samples
    assert {"process_cpu_seconds_total", "process_open_fds", "python_info"} <= {
        name.split("{")[0] for name in samples
    }


def test_promql_metric_names_are_told_apart_from_functions_and_labels() -> None:
    expression = (
        'sum by (job) (rate(tessera_http_request_duration_seconds_count{status=~"5.."}[5m])) '
        "/ on (job) max by (job) (tessera_outbox_backlog) > 0.05"
    )
    selected = metric_names(expression)
    assert selected == {"tessera_http_request_duration_seconds_count", "tessera_outbox_backlog"}
