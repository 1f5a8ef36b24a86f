"""The suite's service names and where its infrastructure answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

SERVICES: tuple[str, ...] = ("identity", "partnership", "billing", "wallet", "notify")


@dataclass(frozen=True)
class Endpoints:
    """Addresses of the running infrastructure, whichever provider started it.

    ``kafka_sasl_bootstrap`` is a second listener of the same Kafka that requires SASL_PLAINTEXT with
    the PLAIN mechanism, as ``kafka_sasl_username``/``kafka_sasl_password`` (the local provider always
    opens one; the external provider when ``TESSERA_KAFKA_SASL_*`` name one; otherwise None).
    ``zipkin_url`` is the base URL of the Zipkin server the services send spans to (None: no tracing).
    """

    kafka_bootstrap: str
    postgres_admin_dsn: str
    database_urls: dict[str, str]
    smtp_host: str
    smtp_port: int
    maildir: Path | None
    stripe_api_base: str
    zipkin_url: str | None
    smtp_web_url: str | None = None
    kafka_sasl_bootstrap: str | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (paths as strings)."""
        return {key: str(value) if isinstance(value, Path) else value for key, value in asdict(self).items()}

    def external_env(self) -> dict[str, str]:
        """``TESSERA_*`` variables that make another process reuse this infrastructure (External)."""
        env = {
            "TESSERA_INFRA": "external",
            "TESSERA_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "TESSERA_POSTGRES_ADMIN_DSN": self.postgres_admin_dsn,
            "TESSERA_SMTP_HOST": self.smtp_host,
            "TESSERA_SMTP_PORT": str(self.smtp_port),
            "TESSERA_STRIPE_API_BASE": self.stripe_api_base,
            "TESSERA_ZIPKIN_URL": self.zipkin_url or "",
        }
        if self.kafka_sasl_bootstrap is not None:
            env["TESSERA_KAFKA_SASL_BOOTSTRAP"] = self.kafka_sasl_bootstrap
            env["TESSERA_KAFKA_SASL_USERNAME"] = self.kafka_sasl_username or ""
            env["TESSERA_KAFKA_SASL_PASSWORD"] = self.kafka_sasl_password or ""
        if self.maildir is not None:
            env["TESSERA_SMTP_MAILDIR"] = str(self.maildir)
        return env
