"""Which infrastructure provider runs, by environment and by whether Docker answers."""

import pytest

from tessera_devtools.infra import (
    External,
    LocalProcesses,
    Testcontainers,
    docker_engine_answers,
    provider_name,
    select_provider,
)

EXTERNAL = {
    "TESSERA_KAFKA_BOOTSTRAP": "kafka:9092",
    "TESSERA_POSTGRES_ADMIN_DSN": "postgresql://u:p@db/postgres",
}


def no_docker() -> bool:
    return False


def docker() -> bool:
    return True


def test_local_processes_without_docker_or_settings() -> None:
    assert isinstance(select_provider(env={}, docker_available=no_docker), LocalProcesses)


def test_testcontainers_when_docker_answers() -> None:
    assert isinstance(select_provider(env={}, docker_available=docker), Testcontainers)


def test_external_when_kafka_and_postgres_are_given_even_with_docker() -> None:
    provider = select_provider(env=EXTERNAL, docker_available=docker)
    assert isinstance(provider, External)
    assert provider.env["TESSERA_KAFKA_BOOTSTRAP"] == "kafka:9092"


def test_one_external_setting_alone_is_not_enough() -> None:
    only_kafka = {"TESSERA_KAFKA_BOOTSTRAP": "kafka:9092"}
    assert provider_name(only_kafka, no_docker) == "local"


@pytest.mark.parametrize(
    ("forced", "expected"),
    [("local", "local"), ("LOCAL", "local"), ("testcontainers", "testcontainers"), ("external", "external")],
)
def test_tessera_infra_forces_the_choice(forced: str, expected: str) -> None:
    assert provider_name({**EXTERNAL, "TESSERA_INFRA": forced}, docker) == expected


def test_an_unknown_forced_provider_is_refused() -> None:
    with pytest.raises(ValueError, match="TESSERA_INFRA"):
        provider_name({"TESSERA_INFRA": "kubernetes"}, no_docker)


def test_docker_does_not_answer_without_a_docker_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert docker_engine_answers() is False


def test_selecting_starts_nothing() -> None:
    provider = select_provider(env={}, docker_available=no_docker)
    with pytest.raises(RuntimeError, match="not been started"):
        _ = provider.endpoints
