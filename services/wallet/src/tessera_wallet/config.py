"""wallet's settings, read from WALLET_* environment variables when the service starts."""

from pydantic_settings import SettingsConfigDict

from tessera_kit.settings import ServiceSettings


class WalletSettings(ServiceSettings):
    """Settings of the wallet service (see ServiceSettings for the shared ones)."""

    model_config = SettingsConfigDict(env_prefix="WALLET_", extra="ignore")

    service_name: str = "wallet"
