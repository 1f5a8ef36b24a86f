"""Billing's settings, read from BILLING_* environment variables when the service starts."""

from uuid import UUID

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
    stripe_webhook_secret: str = Field(
        default="",
        description="Signing secret of Stripe's webhook endpoint (whsec_...); never logged.",
        repr=False,
    )
    stripe_webhook_tolerance_seconds: int = Field(
        default=300, description="How old a signed webhook may be before it is refused as a replay."
    )
    payment_retry_days: tuple[int, ...] = Field(
        default=(1, 3, 7), description="Days after a payment's first failure to retry it; then uncollectible."
    )
    payment_resubmit_after_seconds: float = Field(
        default=300.0,
        description="A charge handed to Stripe without a recorded answer is re-sent after this.",
    )
    payments_sweep_seconds: float = Field(
        default=600.0, description="Longest sleep of the payment and reminder jobs between two looks."
    )
    partner_order_max_minor: int = Field(
        default=100_000,
        gt=0,
        description="The most one order a partner places on its client's bill may cost (minor units).",
    )
    partner_order_daily_max_minor: int = Field(
        default=500_000,
        gt=0,
        description="The most a partner's orders may put on one client's bill in 24 hours (minor units).",
    )
    operator_organisation_id: UUID | None = Field(
        default=None,
        description=(
            "Administrators and legal representatives of this organisation (Tessera's own staff) may use "
            "the operator endpoints under /v1/operations; unset, nobody may."
        ),
    )
    invoice_issuer: str = Field(
        default="Tessera",
        description="Who issues invoices, as printed at the top of each PDF: name, address, VAT number.",
    )
    renewal_wake_seconds: float = Field(
        default=3600.0,
        gt=0,
        description="Longest sleep of the renewal job between two looks at the next due renewal.",
    )
