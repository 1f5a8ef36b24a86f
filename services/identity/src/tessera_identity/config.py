"""identity's settings, read from IDENTITY_* environment variables when the service starts."""

from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network
from typing import Literal, Self
from uuid import UUID

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from tessera_identity.domain.signing_keys import RotationPolicy
from tessera_identity.service_layer.attempts import AttemptLimits
from tessera_kit.auth import MAX_TOKEN_LIFETIME_SECONDS
from tessera_kit.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    """Settings of the identity service (see ServiceSettings for the shared ones)."""

    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")

    service_name: str = "identity"
    environment: Literal["development", "production"] = Field(
        default="production",
        description=(
            "development allows what only a developer's machine may do: keeping secrets unencrypted "
            "when IDENTITY_ENCRYPTION_KEYS is empty. ./dev and the tests set it; anything else is production."
        ),
    )
    access_token_lifetime_seconds: int = Field(
        default=300,
        ge=60,
        le=MAX_TOKEN_LIFETIME_SECONDS,
        description="How long an access token is valid (every service refuses one living longer than 600 s).",
    )
    operator_user_ids: list[UUID] = Field(
        default_factory=list,
        description=(
            "Identity operators (JSON list of user ids): they review 2FA recovery requests and may start "
            "a signing-key rotation. E.g. IDENTITY_OPERATOR_USER_IDS='[\"6f1c...\"]'."
        ),
    )
    signing_key_rotation_days: float = Field(
        default=30, gt=0, description="How long a key signs before the next one takes over."
    )
    signing_key_publish_ahead_seconds: int = Field(
        default=600,
        ge=0,
        description="How long before it signs a new key is published, so every service has it in time.",
    )
    clock_skew_seconds: int = Field(default=60, ge=0, description="Clock difference tolerated between hosts.")
    encryption_keys: list[SecretStr] = Field(
        default_factory=list,
        description=(
            "Fernet keys (JSON list) that encrypt at rest what identity must read back: TOTP secrets and "
            "the private signing keys. The first encrypts, all decrypt. Required outside development."
        ),
    )
    sign_in_failures_per_account: int = Field(
        default=5, ge=1, description="Wrong passwords (app passwords, API tokens) per account per window."
    )
    sign_in_failures_per_address: int = Field(
        default=20, ge=1, description="Failed sign-ins, of any kind, per client address per window."
    )
    sign_in_failure_window_seconds: int = Field(
        default=60, ge=1, description="The window the failures are counted in; then the count starts again."
    )
    trusted_proxies: list[IPv4Network | IPv6Network] = Field(
        default_factory=list,
        description=(
            "Reverse proxies (JSON list of addresses or networks) whose X-Forwarded-For names the client; "
            "empty: the connection's peer is the client."
        ),
    )
    api_token_sweep_max_sleep_seconds: float = Field(
        default=300,
        gt=0,
        description="The longest the API-token sweep sleeps, so it sees a short-lived token made meanwhile.",
    )

    @model_validator(mode="after")
    def _secrets_encrypted_outside_development(self) -> Self:
        if self.environment != "development" and not self.encryption_keys:
            raise ValueError(
                "IDENTITY_ENCRYPTION_KEYS is empty: outside development (IDENTITY_ENVIRONMENT=development) "
                "identity keeps TOTP secrets and signing keys only encrypted. Make a key with "
                "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
            )
        return self

    @property
    def attempt_limits(self) -> AttemptLimits:
        """How many failed sign-ins are tolerated before the next is refused (429)."""
        return AttemptLimits(
            per_account=self.sign_in_failures_per_account,
            per_address=self.sign_in_failures_per_address,
            window=timedelta(seconds=self.sign_in_failure_window_seconds),
        )

    @property
    def rotation_policy(self) -> RotationPolicy:
        """How keys rotate: a retired key verifies for a token's lifetime plus the clock skew."""
        return RotationPolicy(
            interval=timedelta(days=self.signing_key_rotation_days),
            publish_ahead=timedelta(seconds=self.signing_key_publish_ahead_seconds),
            grace=timedelta(seconds=self.access_token_lifetime_seconds + self.clock_skew_seconds),
        )
