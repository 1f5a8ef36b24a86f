"""The settings every service shares; each service subclasses with its own environment prefix."""

from collections.abc import Callable
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

SASL_PROTOCOLS = frozenset({"SASL_PLAINTEXT", "SASL_SSL"})
TLS_PROTOCOLS = frozenset({"SSL", "SASL_SSL"})


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


class KafkaSecurity(BaseModel):
    """How every Kafka client of a service connects: TLS and/or SASL, or neither (PLAINTEXT).

    ``ServiceSettings.kafka_security`` builds one from the ``<PREFIX>KAFKA_*`` settings;
    :func:`tessera_kit.kafka.aiokafka_security_options` turns it into what every aiokafka client
    (producer, consumer, admin) takes. Its repr never shows the password.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    security_protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism = "PLAIN"
    sasl_username: str = ""
    sasl_password: SecretStr = SecretStr("")
    ssl_cafile: str = Field(default="", description="CA bundle (PEM) to trust; empty: the system's.")
    ssl_certfile: str = Field(default="", description="Client certificate (PEM) for mutual TLS.")
    ssl_keyfile: str = Field(default="", description="Its private key, unless the certfile holds it.")

    _upper_case = field_validator("security_protocol", "sasl_mechanism", mode="before")(_upper)

    @property
    def uses_sasl(self) -> bool:
        """Whether the client logs in with a username and password."""
        return self.security_protocol in SASL_PROTOCOLS

    @property
    def uses_tls(self) -> bool:
        """Whether the connection is encrypted (and the broker's certificate verified)."""
        return self.security_protocol in TLS_PROTOCOLS

    def describe(self) -> str:
        """A log-safe summary, e.g. ``SASL_SSL, SCRAM-SHA-512 as 'billing'`` (never the password)."""
        parts: list[str] = [self.security_protocol]
        if self.uses_sasl:
            parts.append(f"{self.sasl_mechanism} as {self.sasl_username!r}")
        if self.uses_tls:
            parts.append(f"CA {self.ssl_cafile or 'system trust store'}")
            if self.ssl_certfile:
                parts.append(f"client certificate {self.ssl_certfile}")
        return ", ".join(parts)

    def problems(self, name: Callable[[str], str] = str) -> list[str]:
        """What is inconsistent, each naming the settings involved (``name`` maps a field to its name)."""
        found: list[str] = []
        protocol = f"{name('security_protocol')}={self.security_protocol}"
        if self.uses_sasl:
            missing = [
                name(field)
                for field, value in (
                    ("sasl_username", self.sasl_username),
                    ("sasl_password", self.sasl_password.get_secret_value()),
                )
                if not value
            ]
            if missing:
                found.append(f"{protocol} needs {' and '.join(missing)}")
        else:
            given = [name(f) for f in ("sasl_username", "sasl_password") if self._is_set(f)]
            if self.sasl_mechanism != "PLAIN":
                given.append(name("sasl_mechanism"))
            if given:
                found.append(
                    f"{', '.join(given)} set, but {protocol} does not log in: "
                    "use SASL_PLAINTEXT or SASL_SSL, or unset them"
                )
        tls_files = [name(f) for f in ("ssl_cafile", "ssl_certfile", "ssl_keyfile") if self._is_set(f)]
        if tls_files and not self.uses_tls:
            found.append(
                f"{', '.join(tls_files)} set, but {protocol} does not use TLS: "
                "use SSL or SASL_SSL, or unset them"
            )
        if self.ssl_keyfile and not self.ssl_certfile:
            found.append(f"{name('ssl_keyfile')} needs {name('ssl_certfile')} (the client certificate)")
        return found

    def _is_set(self, field: str) -> bool:
        value = getattr(self, field)
        return bool(value.get_secret_value() if isinstance(value, SecretStr) else value)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self


class ServiceSettings(BaseSettings):
    """Settings read from the environment when the service starts (never at import time).

    A subclass sets ``model_config = SettingsConfigDict(env_prefix="BILLING_")`` so that, for
    example, ``BILLING_DATABASE_URL`` configures the billing service.
    """

    # Errors name the setting but never echo the input: it holds passwords (a URL's, Kafka's).
    model_config = SettingsConfigDict(extra="ignore", hide_input_in_errors=True)

    service_name: str
    database_url: str = Field(description="postgresql+asyncpg://user:password@host:port/database")
    database_pool_size: int = Field(
        default=10, ge=1, description="Pooled connections per process (as many again may overflow)."
    )
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_security_protocol: SecurityProtocol = Field(
        default="PLAINTEXT", description="PLAINTEXT, SSL (TLS), SASL_PLAINTEXT or SASL_SSL (SASL over TLS)."
    )
    kafka_sasl_mechanism: SaslMechanism = Field(
        default="PLAIN", description="PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; with SASL_* only."
    )
    kafka_sasl_username: str = Field(default="", description="The SASL user; with SASL_* only.")
    kafka_sasl_password: SecretStr = Field(
        default=SecretStr(""), description="The SASL user's password; with SASL_* only; never logged."
    )
    kafka_ssl_cafile: str = Field(
        default="", description="CA bundle (PEM) the brokers' certificates chain to; empty: the system's."
    )
    kafka_ssl_certfile: str = Field(
        default="", description="Client certificate (PEM) for mutual TLS; with SSL or SASL_SSL only."
    )
    kafka_ssl_keyfile: str = Field(
        default="", description="The client certificate's private key (PEM), unless the certfile holds it."
    )
    consumer_group: str = Field(default="", description="Kafka consumer group; the service name when empty.")
    topic_replication_factor: int = Field(
        default=1,
        ge=1,
        description="Replicas of a topic this service creates because it is missing; 3 on a real cluster.",
    )
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    http_max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest request body accepted, in bytes; a larger one answers 413 (default 1 MiB).",
    )
    otlp_endpoint: str = Field(
        default="", description="OTLP/HTTP collector base URL; empty disables trace export."
    )
    zipkin_endpoint: str = Field(
        default="",
        description="Zipkin's span intake (e.g. http://zipkin:9411/api/v2/spans), besides or instead of "
        "OTLP; empty: none. ./dev sets it to its local Zipkin.",
    )
    trace_sample_ratio: float = Field(
        default=1.0,
        ge=0.0,
        le=1.0,
        description="Share of new traces recorded (a request or event that continues a trace follows "
        "its caller's decision). 1: every trace, as for development; lower it where spans cost more "
        "than they tell (spans and their export were half the relay's CPU in ./dev bench pipeline).",
    )
    log_level: str = "INFO"
    consumer_max_attempts: int = Field(
        default=5, ge=1, description="Attempts at applying one event before it is dead-lettered."
    )
    consumer_initial_backoff_seconds: float = Field(default=0.2, gt=0)
    consumer_max_backoff_seconds: float = Field(default=10.0, gt=0)
    consumer_batch_size: int = Field(
        default=500, ge=1, le=10_000, description="Most records one consumer round reads and applies."
    )
    consumer_concurrency: int = Field(
        default=4, ge=1, le=64, description="Partitions applied at once (one database transaction each)."
    )
    consumer_session_timeout_ms: int = Field(
        default=10_000,
        ge=6_000,
        le=300_000,
        description="How long the group waits for a silent member before giving its partitions away.",
    )
    consumer_heartbeat_interval_ms: int = Field(default=3_000, ge=500, le=60_000)
    consumer_instance_id: str = Field(
        default="",
        description="A stable, unique name per replica (e.g. a StatefulSet pod name) for static group "
        "membership: a restart within the session timeout keeps its partitions. Empty: dynamic.",
    )
    outbox_sweep_seconds: float = Field(
        default=5.0,
        gt=0,
        description="Seconds between safety sweeps of the outbox; the relay itself wakes on commit.",
    )
    outbox_batch_size: int = Field(default=1000, ge=1, le=10_000)
    outbox_retention_hours: float = Field(
        default=168.0, gt=0, description="Published outbox rows are deleted once this old (for audits)."
    )
    token_audience: str = "tessera"
    token_issuer: str = "tessera-identity"

    _upper_case = field_validator("kafka_security_protocol", "kafka_sasl_mechanism", mode="before")(_upper)

    @property
    def group(self) -> str:
        """The consumer group replicas of this service share."""
        return self.consumer_group or self.service_name

    @property
    def kafka_security(self) -> KafkaSecurity:
        """How this service's Kafka clients connect (from the ``<PREFIX>KAFKA_*`` settings)."""
        return KafkaSecurity(**self._kafka_security_fields())

    def _kafka_security_fields(self) -> dict[str, Any]:
        return {field: getattr(self, f"kafka_{field}") for field in KafkaSecurity.model_fields}

    @model_validator(mode="after")
    def _kafka_security_is_consistent(self) -> Self:
        prefix = str(self.model_config.get("env_prefix", "")).upper()
        unchecked = KafkaSecurity.model_construct(**self._kafka_security_fields())
        problems = unchecked.problems(lambda field: f"{prefix}KAFKA_{field.upper()}")
        if problems:
            raise ValueError("Kafka connection settings: " + "; ".join(problems))
        return self
