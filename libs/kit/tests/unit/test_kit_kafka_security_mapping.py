"""Kafka's TLS/SASL settings: their validation and their mapping onto aiokafka's clients.

TLS is tested here at the mapping level only (a context that trusts the configured CA and presents the
client certificate); no test connects to a TLS listener. SASL over PLAINTEXT is tested against a real
broker in tests/integration/test_kit_kafka_security.py.
"""

import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict

from tessera_kit.kafka import (
    KafkaSecurityError,
    aiokafka_security_options,
    create_producer,
)
from tessera_kit.settings import KafkaSecurity, ServiceSettings

PASSWORD = "s3cr3t-kafka-pw"


class ExampleSettings(ServiceSettings):
    """A service's settings, as the services declare them."""

    model_config = SettingsConfigDict(env_prefix="EXAMPLE_", extra="ignore")

    service_name: str = "example"
    database_url: str = "postgresql+asyncpg://example:pw@127.0.0.1/example"


def settings_from_env(monkeypatch: pytest.MonkeyPatch, **env: str) -> ExampleSettings:
    for key, value in env.items():
        monkeypatch.setenv(f"EXAMPLE_{key}", value)
    return ExampleSettings()


def error_of(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    with pytest.raises(ValidationError) as raised:
        settings_from_env(monkeypatch, **env)
    return str(raised.value)


# --- the settings -------------------------------------------------------------------------------


def test_by_default_kafka_is_plaintext_without_credentials() -> None:
    security = ExampleSettings().kafka_security
    assert security == KafkaSecurity()
    assert (security.security_protocol, security.uses_sasl, security.uses_tls) == ("PLAINTEXT", False, False)


def test_sasl_settings_are_read_from_the_service_s_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from_env(
        monkeypatch,
        KAFKA_SECURITY_PROTOCOL="sasl_ssl",  # case does not matter
        KAFKA_SASL_MECHANISM="scram-sha-512",
        KAFKA_SASL_USERNAME="example",
        KAFKA_SASL_PASSWORD=PASSWORD,
        KAFKA_SSL_CAFILE="/etc/kafka/ca.pem",
    )
    assert settings.kafka_security == KafkaSecurity(
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="example",
        sasl_password=SecretStr(PASSWORD),
        ssl_cafile="/etc/kafka/ca.pem",
    )
    assert settings.kafka_security.describe() == "SASL_SSL, SCRAM-SHA-512 as 'example', CA /etc/kafka/ca.pem"


def test_the_password_shows_up_in_no_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from_env(
        monkeypatch,
        KAFKA_SECURITY_PROTOCOL="SASL_PLAINTEXT",
        KAFKA_SASL_USERNAME="example",
        KAFKA_SASL_PASSWORD=PASSWORD,
    )
    texts = (repr(settings), str(settings), repr(settings.kafka_security), settings.kafka_security.describe())
    assert all(PASSWORD not in text for text in texts)
    assert settings.kafka_sasl_password.get_secret_value() == PASSWORD


@pytest.mark.parametrize("protocol", ["SASL_PLAINTEXT", "SASL_SSL"])
def test_sasl_needs_a_username_and_a_password(monkeypatch: pytest.MonkeyPatch, protocol: str) -> None:
    message = error_of(monkeypatch, KAFKA_SECURITY_PROTOCOL=protocol)
    assert (
        f"EXAMPLE_KAFKA_SECURITY_PROTOCOL={protocol} needs EXAMPLE_KAFKA_SASL_USERNAME"
        " and EXAMPLE_KAFKA_SASL_PASSWORD" in message
    )


def test_a_username_without_a_password_names_the_missing_password(monkeypatch: pytest.MonkeyPatch) -> None:
    message = error_of(monkeypatch, KAFKA_SECURITY_PROTOCOL="SASL_SSL", KAFKA_SASL_USERNAME="example")
    assert "needs EXAMPLE_KAFKA_SASL_PASSWORD" in message
    assert "EXAMPLE_KAFKA_SASL_USERNAME" not in message


def test_credentials_without_sasl_are_refused_rather_than_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    message = error_of(monkeypatch, KAFKA_SASL_USERNAME="example", KAFKA_SASL_PASSWORD=PASSWORD)
    assert "EXAMPLE_KAFKA_SASL_USERNAME, EXAMPLE_KAFKA_SASL_PASSWORD set" in message
    assert "EXAMPLE_KAFKA_SECURITY_PROTOCOL=PLAINTEXT does not log in" in message
    assert PASSWORD not in message  # the input is never echoed


def test_a_scram_mechanism_without_sasl_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    message = error_of(monkeypatch, KAFKA_SASL_MECHANISM="SCRAM-SHA-256")
    assert "EXAMPLE_KAFKA_SASL_MECHANISM set, but EXAMPLE_KAFKA_SECURITY_PROTOCOL=PLAINTEXT" in message


@pytest.mark.parametrize("protocol", ["PLAINTEXT", "SASL_PLAINTEXT"])
def test_tls_files_without_tls_are_refused(monkeypatch: pytest.MonkeyPatch, protocol: str) -> None:
    sasl = {"KAFKA_SASL_USERNAME": "example", "KAFKA_SASL_PASSWORD": PASSWORD} if "SASL" in protocol else {}
    message = error_of(monkeypatch, KAFKA_SECURITY_PROTOCOL=protocol, KAFKA_SSL_CAFILE="/ca.pem", **sasl)
    assert "EXAMPLE_KAFKA_SSL_CAFILE set, but " in message
    assert f"EXAMPLE_KAFKA_SECURITY_PROTOCOL={protocol} does not use TLS" in message


def test_a_client_key_needs_its_certificate(monkeypatch: pytest.MonkeyPatch) -> None:
    message = error_of(monkeypatch, KAFKA_SECURITY_PROTOCOL="SSL", KAFKA_SSL_KEYFILE="/client.key")
    assert "EXAMPLE_KAFKA_SSL_KEYFILE needs EXAMPLE_KAFKA_SSL_CERTFILE" in message


@pytest.mark.parametrize(
    ("key", "value"),
    [("KAFKA_SECURITY_PROTOCOL", "TLS"), ("KAFKA_SASL_MECHANISM", "GSSAPI")],
)
def test_unknown_protocols_and_mechanisms_are_refused(
    monkeypatch: pytest.MonkeyPatch, key: str, value: str
) -> None:
    assert key.lower() in error_of(monkeypatch, **{key: value})


def test_several_problems_are_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    message = error_of(monkeypatch, KAFKA_SASL_USERNAME="example", KAFKA_SSL_CERTFILE="/client.pem")
    assert "does not log in" in message
    assert "does not use TLS" in message


def test_the_security_model_validates_itself_with_its_own_field_names() -> None:
    with pytest.raises(ValidationError, match="security_protocol=SASL_SSL needs sasl_username"):
        KafkaSecurity(security_protocol="SASL_SSL", sasl_password=SecretStr(PASSWORD))


# --- the mapping ---------------------------------------------------------------------------------


def sasl(protocol: str, mechanism: str, **tls: str) -> KafkaSecurity:
    return KafkaSecurity(
        security_protocol=protocol,
        sasl_mechanism=mechanism,
        sasl_username="example",
        sasl_password=SecretStr(PASSWORD),
        **tls,
    )


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A self-signed CA and a client certificate with its key, as PEM files."""
    folder = tmp_path_factory.mktemp("pki")
    ca_key, client_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)

    def certificate(subject: str, key: Any, issuer: str, is_ca: bool) -> x509.Certificate:
        return (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
            .sign(ca_key, hashes.SHA256())
        )

    files = {
        "ca.pem": certificate("Test CA", ca_key, "Test CA", True).public_bytes(serialization.Encoding.PEM),
        "client.pem": certificate("example", client_key, "Test CA", False).public_bytes(
            serialization.Encoding.PEM
        ),
        "client.key": client_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    }
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return {name: str(folder / name) for name in files}


def test_plaintext_adds_nothing_to_the_clients() -> None:
    assert aiokafka_security_options(KafkaSecurity()) == {"security_protocol": "PLAINTEXT"}
    assert aiokafka_security_options(None) == {"security_protocol": "PLAINTEXT"}


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_without_tls_logs_in_with_the_mechanism(mechanism: str) -> None:
    security = sasl("SASL_PLAINTEXT", mechanism)

    options = aiokafka_security_options(security)

    assert options == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": mechanism,
        "sasl_plain_username": "example",
        "sasl_plain_password": PASSWORD,
    }


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_over_tls_verifies_the_broker_against_the_configured_ca(
    mechanism: str, pki: dict[str, str]
) -> None:
    security = sasl("SASL_SSL", mechanism, ssl_cafile=pki["ca.pem"])

    mapped = aiokafka_security_options(security)

    assert mapped["security_protocol"] == "SASL_SSL"
    assert mapped["sasl_mechanism"] == mechanism
    assert mapped["sasl_plain_password"] == PASSWORD
    context = mapped["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert [ca["subject"] for ca in context.get_ca_certs()] == [((("commonName", "Test CA"),),)]


def test_tls_without_sasl_trusts_the_system_store_when_no_ca_file_is_given() -> None:
    security = KafkaSecurity(security_protocol="SSL")

    options = aiokafka_security_options(security)

    assert set(options) == {"security_protocol", "ssl_context"}
    assert options["security_protocol"] == "SSL"
    assert options["ssl_context"].verify_mode == ssl.CERT_REQUIRED


def test_mutual_tls_presents_the_client_certificate(pki: dict[str, str]) -> None:
    security = KafkaSecurity(
        security_protocol="SSL",
        ssl_cafile=pki["ca.pem"],
        ssl_certfile=pki["client.pem"],
        ssl_keyfile=pki["client.key"],
    )
    assert isinstance(aiokafka_security_options(security)["ssl_context"], ssl.SSLContext)


def test_a_client_key_that_does_not_belong_to_the_certificate_fails_clearly(
    pki: dict[str, str], tmp_path: Path
) -> None:
    other_key = tmp_path / "other.key"
    other_key.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    security = KafkaSecurity(
        security_protocol="SSL", ssl_certfile=pki["client.pem"], ssl_keyfile=str(other_key)
    )
    with pytest.raises(KafkaSecurityError, match=f"certificate {pki['client.pem']}, key {other_key}"):
        aiokafka_security_options(security)


def test_a_missing_ca_file_fails_clearly_when_the_clients_are_built(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.pem"
    security = KafkaSecurity(security_protocol="SSL", ssl_cafile=str(missing))
    with pytest.raises(KafkaSecurityError, match=f"cannot load Kafka's TLS files \\(CA file {missing}\\)"):
        aiokafka_security_options(security)


async def test_the_producer_and_the_consumer_get_the_same_connection_options() -> None:
    security = sasl("SASL_PLAINTEXT", "SCRAM-SHA-256")

    producer = create_producer("127.0.0.1:9", client_id="example", security=security)
    consumer = AIOKafkaConsumer(bootstrap_servers="127.0.0.1:9", **aiokafka_security_options(security))

    for client in (producer.client, consumer._client):  # aiokafka keeps them on its client (private)
        assert (client._security_protocol, client._sasl_mechanism) == ("SASL_PLAINTEXT", "SCRAM-SHA-256")
        assert (client._sasl_plain_username, client._sasl_plain_password) == ("example", PASSWORD)
    await producer.stop()  # never started: nothing to close but the objects
    await consumer.stop()
