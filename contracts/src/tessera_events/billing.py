"""Events the billing service publishes: the public stream other systems subscribe to."""

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from tessera_events.envelope import EventData
from tessera_events.money import Money
from tessera_events.partnership import BillingMode
from tessera_events.topics import DAY_MS, Topic

SUBSCRIPTIONS = Topic(
    name="tessera.billing.subscriptions.v1",
    owner="billing",
    key="subscription_id",
    description="Subscriptions to products: created, renewed, cancelled.",
    partitions=6,
)
PAYER_ASSIGNMENTS = Topic(
    name="tessera.billing.payer-assignments.v1",
    owner="billing",
    key="client_organisation_id",
    description=(
        "Who pays for a client's products managed by a partner. Keyed by the client organisation, "
        "so every reassignment of one client is seen in order."
    ),
    partitions=6,
)
INVOICES = Topic(
    name="tessera.billing.invoices.v1",
    owner="billing",
    key="invoice_id",
    description="Invoices and the payments against them: issued, paid, voided; payment attempts.",
    partitions=6,
)
CASHBACK = Topic(
    name="tessera.billing.cashback.v1",
    owner="billing",
    key="partner_organisation_id",
    description="Cashback a partner earned, keyed by the partner so its ledger is seen in order.",
)
PAYMENT_METHODS = Topic(
    name="tessera.billing.payment-methods.v1",
    owner="billing",
    key="organisation_id",
    description="An organisation's primary card (a Stripe payment method), for services that charge it.",
)
REMINDERS = Topic(
    name="tessera.billing.reminders.v1",
    owner="billing",
    key="subscription_id",
    description="Renewal reminders that fell due under the organisation's preferences.",
    retention_ms=90 * DAY_MS,
)
TOPICS = (SUBSCRIPTIONS, PAYER_ASSIGNMENTS, INVOICES, CASHBACK, PAYMENT_METHODS, REMINDERS)


class ProductKind(StrEnum):
    """What kind of product a subscription is for."""

    HOSTING = "hosting"
    DOMAIN = "domain"
    SAAS = "saas"
    RESALE = "resale"
    MARKETPLACE_APP = "marketplace_app"


class BillingPeriod(StrEnum):
    """How often a subscription renews."""

    MONTHLY = "monthly"
    YEARLY = "yearly"


class SubscriptionCreated(EventData):
    """A product was ordered for an organisation; ``payer`` receives its invoices."""

    EVENT_TYPE: ClassVar[str] = "tessera.billing.SubscriptionCreated.v1"
    TOPIC: ClassVar[Topic] = SUBSCRIPTIONS
    KEY_FIELD: ClassVar[str] = "subscription_id"

    subscription_id: UUID
    owner_organisation_id: UUID
    payer_organisation_id: UUID
    relationship_id: UUID | None
    product_code: str
    product_name: str
    price: Money
    period: BillingPeriod
    next_renewal_on: date
    ordered_by_user_id: UUID
    created_at: AwareDatetime
    product_kind: ProductKind | None = Field(default=None, description="Absent in events from before v1.1.")
    invoice_id: UUID | None = Field(default=None, description="The invoice of the first period, if any.")


class ReassignedSubscription(BaseModel):
    """One subscription whose renewals moved to another payer."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    subscription_id: UUID
    product_code: str
    product_name: str
    price: Money
    next_renewal_on: date


class PayerReassigned(EventData):
    """Renewals of a client's managed products due from ``effective_at`` go to a new payer.

    Invoices issued before stay with the organisation that received them.
    """

    EVENT_TYPE: ClassVar[str] = "tessera.billing.PayerReassigned.v1"
    TOPIC: ClassVar[Topic] = PAYER_ASSIGNMENTS
    KEY_FIELD: ClassVar[str] = "client_organisation_id"

    relationship_id: UUID
    client_organisation_id: UUID
    partner_organisation_id: UUID
    billing_mode: BillingMode
    previous_payer_organisation_id: UUID
    new_payer_organisation_id: UUID
    effective_at: AwareDatetime
    changed_by_user_id: UUID = Field(description="The client's user who chose the new billing mode.")
    subscriptions: tuple[ReassignedSubscription, ...]
    new_payer_tax_treatment: "TaxTreatment | None" = Field(
        default=None,
        description="The new payer's tax treatment, checked again at the switch (absent before v1.1).",
    )


class SubscriptionRenewed(EventData):
    """A subscription renewed for another period and was invoiced to ``payer_organisation_id``."""

    EVENT_TYPE: ClassVar[str] = "tessera.billing.SubscriptionRenewed.v1"
    TOPIC: ClassVar[Topic] = SUBSCRIPTIONS
    KEY_FIELD: ClassVar[str] = "subscription_id"

    subscription_id: UUID
    owner_organisation_id: UUID
    payer_organisation_id: UUID
    relationship_id: UUID | None
    product_code: str
    product_name: str
    price: Money = Field(description="What the payer is charged for the period, before tax.")
    invoice_id: UUID
    period_start: date
    next_renewal_on: date
    renewed_at: AwareDatetime


class SubscriptionCancelled(EventData):
    """A subscription will not renew again."""

    EVENT_TYPE: ClassVar[str] = "tessera.billing.SubscriptionCancelled.v1"
    TOPIC: ClassVar[Topic] = SUBSCRIPTIONS
    KEY_FIELD: ClassVar[str] = "subscription_id"

    subscription_id: UUID
    owner_organisation_id: UUID
    payer_organisation_id: UUID
    product_code: str
    cancelled_by_user_id: UUID | None
    ends_on: date = Field(description="The last day of the paid period.")
    cancelled_at: AwareDatetime


class TaxTreatment(StrEnum):
    """Why an invoice carries the tax it carries."""

    SWISS_VAT = "swiss_vat"
    EU_REVERSE_CHARGE = "eu_reverse_charge"
    STANDARD_RATE = "standard_rate"


PayerReassigned.model_rebuild()


class InvoiceIssued(EventData):
    """An invoice was issued to the paying organisation (it is visible only there)."""

    EVENT_TYPE: ClassVar[str] = "tessera.billing.InvoiceIssued.v1"
    TOPIC: ClassVar[Topic] = INVOICES
    KEY_FIELD: ClassVar[str] = "invoice_id"

    invoice_id: UUID
    number: str = Field(description="Gapless within its series, e.g. CH-2025-000042.")
    payer_organisation_id: UUID
    owner_organisation_id: UUID = Field(description="The organisation whose products the invoice is for.")
    relationship_id: UUID | None
    partner_organisation_id: UUID | None = Field(description="The managing partner, if any.")
    subtotal: Money
    tax: Money
    total: Money
    tax_treatment: TaxTreatment
    issued_at: AwareDatetime
    due_on: date


class InvoicePaid(EventData):
    """An invoice was paid in full."""

    EVENT_TYPE: ClassVar[str] = "tessera.billing.InvoicePaid.v1"
    TOPIC: ClassVar[Topic] = INVOICES
    KEY_FIELD: ClassVar[str] = "invoice_id"

    invoice_id: UUID
    number: str
    payer_organisation_id: UUID
    owner_organisation_id: UUID
    partner_organisation_id: UUID | None
    total: Money
    paid_at: AwareDatetime


class InvoiceVoided(EventData):
    """An issued invoice was voided (it keeps its number) or written off as uncollectible."""

    EVENT_TYPE: ClassVar[str] = "tessera.billing.InvoiceVoided.v1"
    TOPIC: ClassVar[Topic] = INVOICES
    KEY_FIELD: ClassVar[str] = "invoice_id"

    invoice_id: UUID
    number: str
    payer_organisation_id: UUID
    uncollectible: bool = Field(description="True when written off after dunning rather than voided.")
    reason: str
    voided_at: AwareDatetime


class PaymentSucceeded(EventData):
    """A card payment succeeded."""

    EVENT_TYPE: ClassVar[str] = "tessera.billing.PaymentSucceeded.v1"
    TOPIC: ClassVar[Topic] = INVOICES
    KEY_FIELD: ClassVar[str] = "invoice_id"

    payment_id: UUID
    invoice_id: UUID
    payer_organisation_id: UUID
    amount: Money
    card_last4: str | None
    succeeded_at: AwareDatetime


class PaymentFailed(EventData):
    """A card payment failed; ``next_attempt_at`` says when it is retried (none: dunning ended)."""

    EVENT_TYPE: ClassVar[str] = "tessera.billing.PaymentFailed.v1"
    TOPIC: ClassVar[Topic] = INVOICES
    KEY_FIELD: ClassVar[str] = "invoice_id"

    payment_id: UUID
    invoice_id: UUID
    invoice_number: str
    payer_organisation_id: UUID
    amount: Money
    attempt: int = Field(ge=1)
    failure_reason: str = Field(description="The card network's reason, free of card data.")
    next_attempt_at: AwareDatetime | None
    failed_at: AwareDatetime


class CashbackEarned(EventData):
    """A partner earned cashback on an invoice for a client it manages."""

    EVENT_TYPE: ClassVar[str] = "tessera.billing.CashbackEarned.v1"
    TOPIC: ClassVar[Topic] = CASHBACK
    KEY_FIELD: ClassVar[str] = "partner_organisation_id"

    entry_id: UUID
    partner_organisation_id: UUID
    client_organisation_id: UUID
    relationship_id: UUID
    invoice_id: UUID
    rate_bp: int = Field(ge=0, le=3500)
    amount: Money
    earned_at: AwareDatetime


class PrimaryPaymentMethodChanged(EventData):
    """The card charged by default for an organisation changed (none: no card left)."""

    EVENT_TYPE: ClassVar[str] = "tessera.billing.PrimaryPaymentMethodChanged.v1"
    TOPIC: ClassVar[Topic] = PAYMENT_METHODS
    KEY_FIELD: ClassVar[str] = "organisation_id"

    organisation_id: UUID
    stripe_customer_id: str
    payment_method_id: str | None = Field(description="Stripe's payment method id (pm_...), not card data.")
    card_brand: str | None
    card_last4: str | None
    changed_at: AwareDatetime


class ReminderKind(StrEnum):
    """Which renewal notice is due."""

    RENEWAL_REMINDER = "renewal_reminder"
    AUTO_RENEWAL_NOTICE = "auto_renewal_notice"


class RenewalReminderDue(EventData):
    """A renewal notice fell due for a subscription, at one of the organisation's lead times."""

    EVENT_TYPE: ClassVar[str] = "tessera.billing.RenewalReminderDue.v1"
    TOPIC: ClassVar[Topic] = REMINDERS
    KEY_FIELD: ClassVar[str] = "subscription_id"

    reminder_id: UUID
    subscription_id: UUID
    owner_organisation_id: UUID
    payer_organisation_id: UUID
    kind: ReminderKind
    product_code: str
    product_name: str
    price: Money
    renews_on: date
    lead_days: int = Field(ge=0, le=62)
    due_at: AwareDatetime


EVENTS: tuple[type[EventData], ...] = (
    SubscriptionCreated,
    SubscriptionRenewed,
    SubscriptionCancelled,
    PayerReassigned,
    InvoiceIssued,
    InvoicePaid,
    InvoiceVoided,
    PaymentSucceeded,
    PaymentFailed,
    CashbackEarned,
    PrimaryPaymentMethodChanged,
    RenewalReminderDue,
)
