"""wallet's settings, read from WALLET_* environment variables when the service starts."""

from datetime import timedelta
from uuid import UUID

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from tessera_kit.settings import ServiceSettings
from tessera_wallet.domain.auto_recharge import RechargeRetryPolicy


class WalletSettings(ServiceSettings):
    """Settings of the wallet service (see ServiceSettings for the shared ones)."""

    model_config = SettingsConfigDict(env_prefix="WALLET_", extra="ignore")

    service_name: str = "wallet"
    stripe_api_base: str = Field(
        default="https://api.stripe.com", description="Stripe's API, or stripe-mock's URL in development."
    )
    stripe_api_key: SecretStr = Field(default=SecretStr(""), description="Stripe secret key; never logged.")
    stripe_webhook_secret: SecretStr = Field(
        default=SecretStr(""), description="Signing secret of the Stripe webhook endpoint (whsec_...)."
    )
    partner_top_up_max_minor: int = Field(
        default=50_000,
        gt=0,
        description="The most a partner's user may charge to a client's card in one top-up (minor units).",
    )
    partner_top_up_daily_max_minor: int = Field(
        default=200_000,
        gt=0,
        description="The most a partner may charge to a client's card in top-ups in 24 hours (minor units).",
    )
    operator_organisation_id: UUID | None = Field(
        default=None,
        description="Administrators of this organisation are operators: they grant complimentary credits.",
    )
    recharge_max_failures: int = Field(
        default=3, ge=1, description="Declined recharges in a row after which auto-recharge pauses."
    )
    recharge_retry_seconds: float = Field(
        default=3600.0, gt=0, description="Wait after a first declined recharge; doubles each time."
    )
    recharge_retry_max_seconds: float = Field(default=86400.0, gt=0)
    charge_lease_seconds: float = Field(
        default=300.0,
        gt=0,
        description="An attempt at a charge not settled by then (its process died) is made again, same key.",
    )
    charge_pending_check_seconds: float = Field(
        default=3600.0,
        gt=0,
        description="Ask Stripe how a pending payment stands this long after, should its webhook not come.",
    )
    charge_sweep_seconds: float = Field(
        default=30.0, gt=0, description="The charging job looks for due charges at least this often."
    )

    @property
    def recharge_policy(self) -> RechargeRetryPolicy:
        """How declined recharges are retried."""
        return RechargeRetryPolicy(
            max_failures=self.recharge_max_failures,
            first_delay=timedelta(seconds=self.recharge_retry_seconds),
            longest_delay=timedelta(seconds=self.recharge_retry_max_seconds),
        )

    @property
    def charge_lease(self) -> timedelta:
        """How long one attempt at a charge may take before it is made again."""
        return timedelta(seconds=self.charge_lease_seconds)
