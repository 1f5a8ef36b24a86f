"""identity's settings, read from IDENTITY_* environment variables when the service starts."""

from datetime import timedelta
from uuid import UUID

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from tessera_identity.domain.signing_keys import RotationPolicy
from tessera_kit.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    """Settings of the identity service (see ServiceSettings for the shared ones)."""

    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")

    service_name: str = "identity"
    access_token_lifetime_seconds: int = Field(
        default=15 * 60, ge=60, le=24 * 60 * 60, description="How long an access token is valid."
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
    totp_encryption_keys: list[SecretStr] = Field(
        default_factory=list,
        description=(
            "Fernet keys (JSON list) that encrypt TOTP secrets at rest: the first encrypts, all decrypt. "
            "Empty: stored unencrypted."
        ),
    )
    api_token_sweep_max_sleep_seconds: float = Field(
        default=300,
        gt=0,
        description="The longest the API-token sweep sleeps, so it sees a short-lived token made meanwhile.",
    )

    @property
    def rotation_policy(self) -> RotationPolicy:
        """How keys rotate: a retired key verifies for a token's lifetime plus the clock skew."""
        return RotationPolicy(
            interval=timedelta(days=self.signing_key_rotation_days),
            publish_ahead=timedelta(seconds=self.signing_key_publish_ahead_seconds),
            grace=timedelta(seconds=self.access_token_lifetime_seconds + self.clock_skew_seconds),
        )
