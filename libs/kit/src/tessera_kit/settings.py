"""The settings every service shares; each service subclasses with its own environment prefix."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Settings read from the environment when the service starts (never at import time).

    A subclass sets ``model_config = SettingsConfigDict(env_prefix="BILLING_")`` so that, for
    example, ``BILLING_DATABASE_URL`` configures the billing service.
    """

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str
    database_url: str = Field(description="postgresql+asyncpg://user:password@host:port/database")
    database_pool_size: int = Field(
        default=10, ge=1, description="Pooled connections per process (as many again may overflow)."
    )
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    consumer_group: str = Field(default="", description="Kafka consumer group; the service name when empty.")
    topic_replication_factor: int = Field(
        default=1,
        ge=1,
        description="Replicas of a topic this service creates because it is missing; 3 on a real cluster.",
    )
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    otlp_endpoint: str = Field(
        default="", description="OTLP/HTTP collector base URL; empty disables trace export."
    )
    log_level: str = "INFO"
    consumer_max_attempts: int = Field(
        default=5, ge=1, description="Attempts at applying one event before it is dead-lettered."
    )
    consumer_initial_backoff_seconds: float = Field(default=0.2, gt=0)
    consumer_max_backoff_seconds: float = Field(default=10.0, gt=0)
    outbox_sweep_seconds: float = Field(
        default=5.0,
        gt=0,
        description="Seconds between safety sweeps of the outbox; the relay itself wakes on commit.",
    )
    outbox_batch_size: int = Field(default=200, ge=1)
    token_audience: str = "tessera"

    @property
    def group(self) -> str:
        """The consumer group replicas of this service share."""
        return self.consumer_group or self.service_name

    token_issuer: str = "tessera-identity"
