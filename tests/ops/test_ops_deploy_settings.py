"""Deploy files that cannot drift from the code: every setting a service requires, read from its
settings class, is provided by Compose, by the Kubernetes manifests and by .env.example; and every
variable they set is a setting the service has."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from ops_support import ROOT, SERVICES

from tessera_billing.config import BillingSettings
from tessera_identity.config import IdentitySettings
from tessera_kit.settings import ServiceSettings
from tessera_notify.config import NotifySettings
from tessera_partnership.config import PartnershipSettings
from tessera_wallet.config import WalletSettings

SETTINGS: dict[str, type[ServiceSettings]] = {
    "identity": IdentitySettings,
    "partnership": PartnershipSettings,
    "billing": BillingSettings,
    "wallet": WalletSettings,
    "notify": NotifySettings,
}
# Settings whose default only suits a developer's machine: outside development each must be set, or
# the service listens on loopback, finds no broker, answers 503 or dead-letters what needs them.
EVERY_SERVICE_OUTSIDE_DEVELOPMENT = ("kafka_bootstrap_servers", "http_host")
OUTSIDE_DEVELOPMENT: dict[str, tuple[str, ...]] = {
    "identity": ("encryption_keys",),
    "partnership": ("offer_link_key",),
    "billing": ("stripe_api_key", "stripe_webhook_secret"),
    "wallet": ("stripe_api_key", "stripe_webhook_secret"),
    "notify": ("smtp_host", "offer_link_key", "partnership_public_url"),
}
# Settings a service refuses to start any command without (its settings validate them), migrations too.
EVERY_COMMAND: dict[str, tuple[str, ...]] = {"identity": ("encryption_keys",)}
# Variables that are not a service's settings: the OpenTelemetry SDK's own.
FOREIGN = re.compile(r"^OTEL_")
KUBERNETES = ROOT / "deploy" / "kubernetes"


def prefix(service: str) -> str:
    return str(SETTINGS[service].model_config["env_prefix"])


def required_settings(service: str) -> set[str]:
    """The variables a deployment of ``service`` must set."""
    settings = SETTINGS[service]
    without_default = {name for name, field in settings.model_fields.items() if field.is_required()}
    fields = without_default | set(EVERY_SERVICE_OUTSIDE_DEVELOPMENT) | set(OUTSIDE_DEVELOPMENT[service])
    return {prefix(service) + name.upper() for name in fields}


def known_settings(service: str) -> set[str]:
    return {prefix(service) + name.upper() for name in SETTINGS[service].model_fields}


def compose_environment(service: str) -> dict[str, str]:
    document = yaml.safe_load((ROOT / "deploy" / "compose" / "compose.yaml").read_text())
    environment: dict[str, str] = document["services"][service]["environment"]
    return environment


def kubernetes_documents(service: str) -> list[dict[str, Any]]:
    paths = sorted((KUBERNETES / service).glob("*.yaml"))
    return [
        doc
        for path in paths
        if path.name != "kustomization.yaml"
        for doc in yaml.safe_load_all(path.read_text())
    ]


def secret_keys() -> dict[str, set[str]]:
    """The keys of each Secret in secret.example.yaml (the Secrets the manifests expect)."""
    secrets = yaml.safe_load_all((KUBERNETES / "secret.example.yaml").read_text())
    return {secret["metadata"]["name"]: set(secret["stringData"]) for secret in secrets}


def kubernetes_environment(service: str, kind: str) -> dict[str, str]:
    """The variables the ``kind`` (Deployment or Job) of ``service`` sets, each with where it comes from.

    A required setting must come from the ConfigMap or from a Secret key that is not optional and that
    secret.example.yaml documents.
    """
    documents = kubernetes_documents(service)
    config_maps = {doc["metadata"]["name"]: doc["data"] for doc in documents if doc["kind"] == "ConfigMap"}
    (workload,) = [doc for doc in documents if doc["kind"] == kind]
    (container,) = workload["spec"]["template"]["spec"]["containers"]
    found: dict[str, str] = {}
    for source in container.get("envFrom", ()):
        found |= dict.fromkeys(config_maps[source["configMapRef"]["name"]], "configmap")
    keys = secret_keys()
    for variable in container.get("env", ()):
        reference = variable.get("valueFrom", {}).get("secretKeyRef")
        if reference is None:
            found[variable["name"]] = "value"
        elif not reference.get("optional") and reference["key"] in keys.get(reference["name"], set()):
            found[variable["name"]] = f"secret {reference['name']}/{reference['key']}"
        else:
            found[variable["name"]] = "optional secret"
    return found


def env_example() -> set[str]:
    return set(re.findall(r"^([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE))


def test_the_settings_named_as_needed_outside_development_exist() -> None:
    for service in SERVICES:
        fields = SETTINGS[service].model_fields
        assert [
            name
            for name in (*EVERY_SERVICE_OUTSIDE_DEVELOPMENT, *OUTSIDE_DEVELOPMENT[service])
            if name not in fields
        ] == []


def test_every_service_requires_its_database_url() -> None:
    assert all(f"{prefix(service)}DATABASE_URL" in required_settings(service) for service in SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_compose_provides_every_required_setting(service: str) -> None:
    assert required_settings(service) - set(compose_environment(service)) == set()


@pytest.mark.parametrize("service", SERVICES)
def test_the_kubernetes_deployment_provides_every_required_setting(service: str) -> None:
    environment = kubernetes_environment(service, "Deployment")
    missing = {
        name
        for name in required_settings(service)
        if environment.get(name, "optional secret") == "optional secret"
    }
    assert missing == set()


@pytest.mark.parametrize("service", SERVICES)
def test_the_migrate_job_has_what_every_command_of_the_service_needs(service: str) -> None:
    settings = SETTINGS[service]
    needed = {name for name, field in settings.model_fields.items() if field.is_required()}
    needed |= set(EVERY_COMMAND.get(service, ()))
    environment = kubernetes_environment(service, "Job")
    given = {
        name for name in needed if environment.get(prefix(service) + name.upper(), "").startswith("secret ")
    }
    assert needed - given == set()


@pytest.mark.parametrize("service", SERVICES)
def test_env_example_provides_every_required_setting(service: str) -> None:
    assert required_settings(service) - env_example() == set()


@pytest.mark.parametrize("service", SERVICES)
def test_deploy_files_set_only_settings_the_service_has(service: str) -> None:
    given = (
        set(compose_environment(service))
        | set(kubernetes_environment(service, "Deployment"))
        | set(kubernetes_environment(service, "Job"))
        | {name for name in env_example() if name.startswith(prefix(service))}
    )
    assert {name for name in given if not FOREIGN.match(name)} - known_settings(service) == set()


def test_notify_and_partnership_share_one_offer_link_key() -> None:
    partnership = kubernetes_environment("partnership", "Deployment")["PARTNERSHIP_OFFER_LINK_KEY"]
    notify = kubernetes_environment("notify", "Deployment")["NOTIFY_OFFER_LINK_KEY"]
    assert partnership == notify
    compose_keys = {compose_environment("partnership")["PARTNERSHIP_OFFER_LINK_KEY"]}
    compose_keys.add(compose_environment("notify")["NOTIFY_OFFER_LINK_KEY"])
    assert len(compose_keys) == 1


def test_a_removed_setting_is_caught(tmp_path: Path) -> None:
    # What the checks above rely on: without the webhook secret, billing's requirements are not met.
    environment = dict(compose_environment("billing"))
    del environment["BILLING_STRIPE_WEBHOOK_SECRET"]
    assert required_settings("billing") - set(environment) == {"BILLING_STRIPE_WEBHOOK_SECRET"}


def interpolated(value: str, variables: dict[str, str]) -> str:
    """Compose's ``${NAME:?message}`` and ``${NAME:-default}``, from ``variables``."""
    return re.sub(
        r"\$\{([A-Z0-9_]+):([?-])([^}]*)\}",
        lambda found: variables.get(found[1], found[3] if found[2] == "-" else ""),
        value,
    )


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_starts_with_the_compose_settings(service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    example = (ROOT / "deploy" / "compose" / ".env.example").read_text()
    variables = dict(re.findall(r"^([A-Z0-9_]+)=(.*)$", example, flags=re.MULTILINE))
    for name, value in compose_environment(service).items():
        monkeypatch.setenv(name, interpolated(str(value), variables))
    settings = SETTINGS[service]()
    assert settings.http_host == "0.0.0.0"
    assert settings.kafka_bootstrap_servers == "kafka:9092"
