"""The Kubernetes manifests validate offline against Kubernetes' strict schemas (kubeconform), every
file is part of its kustomization, and each service has its autoscaler and network policy."""

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from kube_tools import KUBERNETES_VERSION, SCHEMA_TEMPLATE, kubeconform, strict_schemas
from ops_support import ROOT, SERVICES

from tessera_devtools.layout import Layout

KUBERNETES = ROOT / "deploy" / "kubernetes"
EXAMPLES = ("secret.example.yaml", "ingress.example.yaml")


def manifests() -> list[Path]:
    return sorted(path for path in KUBERNETES.rglob("*.yaml") if path.name != "kustomization.yaml")


def resources(path: Path) -> list[dict[str, Any]]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


def test_every_manifest_passes_strict_schema_validation_offline() -> None:
    layout = Layout.for_run()
    schemas = strict_schemas(layout)
    command = [
        str(kubeconform(layout)),
        "-strict",
        "-summary",
        "-kubernetes-version",
        KUBERNETES_VERSION,
        "-schema-location",
        f"{schemas}/{SCHEMA_TEMPLATE}",
        *(str(path) for path in manifests()),
    ]
    checked = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"Valid: {sum(len(resources(path)) for path in manifests())}," in checked.stdout


def test_a_typo_in_a_manifest_fails_validation(tmp_path: Path) -> None:
    layout = Layout.for_run()
    broken = tmp_path / "deployment.yaml"
    broken.write_text(
        (KUBERNETES / "billing" / "deployment.yaml").read_text().replace("containerPort", "containrPort")
    )
    command = [
        str(kubeconform(layout)),
        "-strict",
        "-kubernetes-version",
        KUBERNETES_VERSION,
        "-schema-location",
        f"{strict_schemas(layout)}/{SCHEMA_TEMPLATE}",
        str(broken),
    ]
    checked = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert checked.returncode == 1
    assert "containrPort" in checked.stdout


def test_every_manifest_is_in_a_kustomization_except_the_examples() -> None:
    listed = {
        (path.parent / resource).resolve()
        for path in KUBERNETES.rglob("kustomization.yaml")
        for resource in yaml.safe_load(path.read_text())["resources"]
    }
    assert [path.name for path in manifests() if path.resolve() not in listed] == sorted(EXAMPLES)


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_scales_on_cpu_and_is_fenced_by_a_network_policy(service: str) -> None:
    (autoscaler,) = resources(KUBERNETES / service / "hpa.yaml")
    assert autoscaler["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": service,
    }
    assert autoscaler["spec"]["minReplicas"] >= 2
    assert [metric["resource"]["name"] for metric in autoscaler["spec"]["metrics"]] == ["cpu"]
    (policy,) = resources(KUBERNETES / service / "networkpolicy.yaml")
    assert policy["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": service}}
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    ports = {port["port"] for rule in policy["spec"]["egress"] for port in rule["ports"]}
    assert {53, 9092, 5432} <= ports
    assert (443 in ports) == (service in {"billing", "wallet", "partnership"})
    assert (587 in ports) == (service == "notify")
