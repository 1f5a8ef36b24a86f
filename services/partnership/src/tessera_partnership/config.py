"""Partnership's settings, from PARTNERSHIP_* environment variables."""

from pydantic_settings import SettingsConfigDict

from tessera_kit.settings import ServiceSettings


class PartnershipSettings(ServiceSettings):
    """Settings of the partnership service."""

    model_config = SettingsConfigDict(env_prefix="PARTNERSHIP_", extra="ignore")

    service_name: str = "partnership"
