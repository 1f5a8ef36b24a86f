"""Billing's settings, read from BILLING_* environment variables when the service starts."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from tessera_kit.settings import ServiceSettings


class BillingSettings(ServiceSettings):
    """The kit's settings plus billing's own (e.g. ``BILLING_DATABASE_URL``, ``BILLING_STRIPE_API_KEY``)."""

    model_config = SettingsConfigDict(env_prefix="BILLING_", extra="ignore")

    service_name: str = "billing"
    stripe_api_base: str = Field(
        default="https://api.stripe.com", description="Stripe's API, or stripe-mock's URL in development."
    )
    stripe_api_key: str = Field(default="", description="Stripe secret key; never logged.", repr=False)
