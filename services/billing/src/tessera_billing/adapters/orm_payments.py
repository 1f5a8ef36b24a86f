"""Billing payments' tables: Stripe customers, cards, payment attempts, webhooks, reminders, addresses.

They share :class:`~tessera_billing.adapters.orm.Base`'s metadata (and naming convention) with every
other billing table. Money is integer minor units plus a currency column; instants are UTC. The
foreign keys to the invoices and subscriptions tables are declared in the migration (0003).
"""

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Index, Integer, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from tessera_billing.adapters.orm import Base


class StripeCustomerRow(Base):
    """The Stripe customer of a paying organisation (one each, created on first need)."""

    __tablename__ = "stripe_customers"

    organisation_id: Mapped[UUID] = mapped_column(primary_key=True)
    stripe_customer_id: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CardSetupRow(Base):
    """A SetupIntent billing opened for an organisation: only these may add cards to it."""

    __tablename__ = "card_setups"

    setup_id: Mapped[UUID] = mapped_column(primary_key=True)
    organisation_id: Mapped[UUID]
    stripe_setup_intent_id: Mapped[str] = mapped_column(Text, index=True)
    requested_by_user_id: Mapped[UUID]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    payment_method_id: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PaymentMethodRow(Base):
    """A card on file (a Stripe payment method); at most one primary per organisation."""

    __tablename__ = "payment_methods"
    __table_args__ = (
        Index(
            "uq_payment_methods_primary",
            "organisation_id",
            unique=True,
            postgresql_where="is_primary",
        ),
    )

    payment_method_id: Mapped[str] = mapped_column(Text, primary_key=True)
    organisation_id: Mapped[UUID] = mapped_column(index=True)
    brand: Mapped[str] = mapped_column(Text)
    last4: Mapped[str] = mapped_column(Text)
    exp_month: Mapped[int] = mapped_column(Integer)
    exp_year: Mapped[int] = mapped_column(Integer)
    is_primary: Mapped[bool] = mapped_column(Boolean)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PaymentAttemptRow(Base):
    """One try at charging an invoice to the payer's card; (invoice, attempt) is unique."""

    __tablename__ = "payment_attempts"
    __table_args__ = (
        UniqueConstraint("invoice_id", "attempt"),
        Index("ix_payment_attempts_status_due_at", "status", "due_at"),
    )

    payment_id: Mapped[UUID] = mapped_column(primary_key=True)
    invoice_id: Mapped[UUID]
    payer_organisation_id: Mapped[UUID] = mapped_column(index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    first_failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    payment_method_id: Mapped[str | None] = mapped_column(Text)
    card_last4: Mapped[str | None] = mapped_column(Text)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(Text, index=True)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The trace of what asked for the attempt (W3C), continued when the payment job runs it.
    traceparent: Mapped[str | None] = mapped_column(Text)
    tracestate: Mapped[str | None] = mapped_column(Text)


class StripeWebhookEventRow(Base):
    """A Stripe event billing applied (the webhooks' inbox): each is applied once."""

    __tablename__ = "stripe_webhook_events"

    event_id: Mapped[str] = mapped_column(Text, primary_key=True)
    event_type: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReminderPreferencesRow(Base):
    """When an organisation wants to hear of its renewals (absent: the defaults)."""

    __tablename__ = "reminder_preferences"

    organisation_id: Mapped[UUID] = mapped_column(primary_key=True)
    reminders_enabled: Mapped[bool] = mapped_column(Boolean)
    lead_days: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    auto_renewal_notice: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by_user_id: Mapped[UUID]


class RenewalReminderRow(Base):
    """A renewal notice sent: (subscription, renewal day, lead time) is sent at most once."""

    __tablename__ = "renewal_reminders"
    __table_args__ = (UniqueConstraint("subscription_id", "renews_on", "lead_days"),)

    reminder_id: Mapped[UUID] = mapped_column(primary_key=True)
    subscription_id: Mapped[UUID]
    renews_on: Mapped[date] = mapped_column(Date)
    lead_days: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(Text)
    payer_organisation_id: Mapped[UUID]
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BillingAddressRow(Base):
    """One of an organisation's billing addresses; at most one default per organisation."""

    __tablename__ = "billing_addresses"
    __table_args__ = (
        Index("uq_billing_addresses_default", "organisation_id", unique=True, postgresql_where="is_default"),
    )

    address_id: Mapped[UUID] = mapped_column(primary_key=True)
    organisation_id: Mapped[UUID] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(Text)
    line1: Mapped[str] = mapped_column(Text)
    line2: Mapped[str | None] = mapped_column(Text)
    postal_code: Mapped[str] = mapped_column(Text)
    city: Mapped[str] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str] = mapped_column(Text)
    is_default: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
