"""Settings of the notify service, read from NOTIFY_* environment variables."""

from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from tessera_kit.settings import ServiceSettings
from tessera_notify.adapters.links import OfferLinks


class NotifySettings(ServiceSettings):
    """The kit's settings plus the SMTP server and the patience notify has with it."""

    model_config = SettingsConfigDict(env_prefix="NOTIFY_")

    service_name: str = "notify"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str = Field(default="", description="Empty: send without authenticating.")
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = Field(default=False, description="Upgrade the connection with STARTTLS.")
    smtp_use_tls: bool = Field(default=False, description="Connect over TLS from the start (port 465).")
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    mail_from: str = "Tessera <no-reply@tessera.invalid>"
    notice_max_age_hours: float = Field(
        default=72.0,
        gt=0,
        description="Events older than this when notify reads them cause no e-mail (e.g. replayed history).",
    )
    max_delivery_attempts: int = Field(
        default=8, ge=1, description="Attempts at sending one e-mail before it is marked failed."
    )
    delivery_initial_backoff_seconds: float = Field(
        default=30.0, gt=0, description="Pause after the first transient failure; it doubles after each."
    )
    delivery_max_backoff_seconds: float = Field(default=3600.0, gt=0)
    smtp_connections: int = Field(
        default=4,
        ge=1,
        le=32,
        description="SMTP connections one process sends over at once (each e-mail still sent once).",
    )
    delivery_sweep_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Longest the retry job sleeps without a wake-up; it covers a missed notification.",
    )

    smtp_ca_file: str = Field(
        default="",
        description="CA bundle (PEM) to verify the SMTP server's certificate; empty: the system's.",
    )
    partnership_public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base URL of partnership's public API, for the cancel links in offer-request e-mails.",
    )
    offer_link_key: SecretStr = Field(
        default=SecretStr(""),
        description="Key (at least 32 bytes) that signs offer-request cancel links; partnership's "
        "PARTNERSHIP_OFFER_LINK_KEY must be the same.",
    )

    @property
    def offer_links(self) -> OfferLinks:
        """The signer of links into partnership's API."""
        return OfferLinks(self.partnership_public_url, self.offer_link_key.get_secret_value().encode())

    @model_validator(mode="after")
    def _link_key_long_enough(self) -> Self:
        """A short key is refused at start-up rather than at the first offer request."""
        if 0 < len(self.offer_link_key.get_secret_value().encode()) < 32:
            raise ValueError("NOTIFY_OFFER_LINK_KEY needs at least 32 bytes")
        return self

    @model_validator(mode="after")
    def _one_way_to_tls(self) -> Self:
        """TLS from the start and a STARTTLS upgrade exclude each other."""
        if self.smtp_starttls and self.smtp_use_tls:
            raise ValueError("set NOTIFY_SMTP_STARTTLS or NOTIFY_SMTP_USE_TLS, not both")
        return self
