"""The local Kafka's configuration: a PLAINTEXT listener for everything, a SASL one for security tests."""

from dataclasses import replace
from pathlib import Path

import pytest

from tessera_devtools.endpoints import Endpoints
from tessera_devtools.kafka import SaslListener, kafka_answers, new_sasl_listener, server_properties


def properties(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines())


def test_without_sasl_the_broker_has_one_client_listener(tmp_path: Path) -> None:
    config = properties(server_properties(tmp_path, 9092, 9093))
    assert config["listeners"] == "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093"
    assert config["advertised.listeners"] == "PLAINTEXT://127.0.0.1:9092"
    assert config["listener.security.protocol.map"] == "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
    assert not any("sasl" in key for key in config)


def test_the_sasl_listener_uses_plain_with_its_one_user(tmp_path: Path) -> None:
    sasl = SaslListener(port=9094, username="tessera", password="pw-123")
    config = properties(server_properties(tmp_path, 9092, 9093, sasl))

    assert config["listeners"] == (
        "PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:9093"
    )
    assert config["advertised.listeners"] == "PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://127.0.0.1:9094"
    assert config["listener.security.protocol.map"] == (
        "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT"
    )
    assert config["inter.broker.listener.name"] == "PLAINTEXT"
    assert config["listener.name.sasl_plaintext.sasl.enabled.mechanisms"] == "PLAIN"
    assert config["listener.name.sasl_plaintext.plain.sasl.jaas.config"] == (
        'org.apache.kafka.common.security.plain.PlainLoginModule required user_tessera="pw-123";'
    )


def test_each_start_gets_a_fresh_password_and_clients_get_aiokafka_options() -> None:
    first, second = new_sasl_listener(9094), new_sasl_listener(9094)
    assert first.password != second.password
    assert len(first.password) == 32
    assert first.bootstrap == "127.0.0.1:9094"
    assert first.client_options() == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "PLAIN",
        "sasl_plain_username": "tessera",
        "sasl_plain_password": first.password,
    }


def test_the_sasl_listener_is_optional_in_the_endpoints_and_exported_when_present() -> None:
    without = Endpoints(
        kafka_bootstrap="127.0.0.1:9092",
        postgres_admin_dsn="postgresql://postgres:postgres@127.0.0.1:5432/postgres",
        database_urls={},
        smtp_host="127.0.0.1",
        smtp_port=2525,
        maildir=None,
        stripe_api_base="http://127.0.0.1:12111",
        zipkin_url=None,
    )
    assert without.kafka_sasl_bootstrap is None
    assert not any("SASL" in key for key in without.external_env())

    with_sasl = replace(
        without,
        kafka_sasl_bootstrap="127.0.0.1:9094",
        kafka_sasl_username="tessera",
        kafka_sasl_password="pw",
    )
    env = with_sasl.external_env()
    assert env["TESSERA_KAFKA_BOOTSTRAP"] == "127.0.0.1:9092"
    assert (
        env["TESSERA_KAFKA_SASL_BOOTSTRAP"],
        env["TESSERA_KAFKA_SASL_USERNAME"],
        env["TESSERA_KAFKA_SASL_PASSWORD"],
    ) == ("127.0.0.1:9094", "tessera", "pw")


@pytest.mark.integration
def test_the_sasl_listener_lets_its_user_in_and_nobody_else(infra: Endpoints) -> None:
    bootstrap = infra.kafka_sasl_bootstrap
    if bootstrap is None:
        pytest.skip("this provider's Kafka has no SASL listener")
    user = {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "PLAIN",
        "sasl_plain_username": infra.kafka_sasl_username,
        "sasl_plain_password": infra.kafka_sasl_password,
    }

    assert kafka_answers(bootstrap, user)
    assert not kafka_answers(bootstrap, {**user, "sasl_plain_password": "wrong"})
    assert not kafka_answers(bootstrap)  # nor a PLAINTEXT client
