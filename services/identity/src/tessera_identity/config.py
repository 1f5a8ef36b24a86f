"""identity's settings, read from IDENTITY_* environment variables when the service starts."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from tessera_kit.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    """Settings of the identity service (see ServiceSettings for the shared ones)."""

    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")

    service_name: str = "identity"
    access_token_lifetime_seconds: int = Field(
        default=15 * 60, ge=60, le=24 * 60 * 60, description="How long an access token is valid."
    )
