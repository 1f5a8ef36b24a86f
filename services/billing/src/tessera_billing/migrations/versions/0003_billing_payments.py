"""Billing payments: Stripe customers and cards, payment attempts (dunning), the Stripe webhooks'
inbox, reminder preferences and the reminders sent, billing addresses.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ATTEMPT_STATUSES = "('scheduled', 'submitting', 'submitted', 'succeeded', 'failed', 'cancelled')"
NOTICE_KINDS = "('renewal_reminder', 'auto_renewal_notice')"


def _uuid(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, UUID(as_uuid=True), nullable=nullable)


def _instant(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Text, nullable=nullable)


def upgrade() -> None:
    _cards()
    _payments()
    _reminders()
    _addresses()


def _cards() -> None:
    op.create_table(
        "stripe_customers",
        _uuid("organisation_id"),
        _text("stripe_customer_id"),
        _instant("created_at"),
        sa.PrimaryKeyConstraint("organisation_id", name="pk_stripe_customers"),
    )
    op.create_table(
        "card_setups",
        _uuid("setup_id"),
        _uuid("organisation_id"),
        _text("stripe_setup_intent_id"),
        _uuid("requested_by_user_id"),
        _instant("created_at"),
        _text("payment_method_id", nullable=True),
        _instant("completed_at", nullable=True),
        sa.PrimaryKeyConstraint("setup_id", name="pk_card_setups"),
    )
    op.create_index("ix_card_setups_stripe_setup_intent_id", "card_setups", ["stripe_setup_intent_id"])
    op.create_table(
        "payment_methods",
        _text("payment_method_id"),
        _uuid("organisation_id"),
        _text("brand"),
        _text("last4"),
        sa.Column("exp_month", sa.Integer, nullable=False),
        sa.Column("exp_year", sa.Integer, nullable=False),
        sa.Column("is_primary", sa.Boolean, nullable=False),
        _instant("added_at"),
        sa.PrimaryKeyConstraint("payment_method_id", name="pk_payment_methods"),
    )
    op.create_index("ix_payment_methods_organisation_id", "payment_methods", ["organisation_id"])
    op.create_index(
        "uq_payment_methods_primary",
        "payment_methods",
        ["organisation_id"],
        unique=True,
        postgresql_where=sa.text("is_primary"),
    )


def _payments() -> None:
    op.create_table(
        "payment_attempts",
        _uuid("payment_id"),
        _uuid("invoice_id"),
        _uuid("payer_organisation_id"),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        _text("currency"),
        sa.Column("attempt", sa.Integer, nullable=False),
        _text("status"),
        _instant("due_at"),
        _instant("first_failed_at", nullable=True),
        _text("payment_method_id", nullable=True),
        _text("card_last4", nullable=True),
        _text("stripe_payment_intent_id", nullable=True),
        _text("failure_reason", nullable=True),
        _instant("created_at"),
        _instant("submitted_at", nullable=True),
        _instant("settled_at", nullable=True),
        sa.CheckConstraint(f"status IN {ATTEMPT_STATUSES}", name=op.f("ck_payment_attempts_status")),
        sa.CheckConstraint("attempt >= 1", name=op.f("ck_payment_attempts_attempt")),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_payment_attempts_amount_positive")),
        sa.CheckConstraint("currency IN ('CHF', 'EUR')", name=op.f("ck_payment_attempts_currency")),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.invoice_id"], name="fk_payment_attempts_invoice_id"),
        sa.PrimaryKeyConstraint("payment_id", name="pk_payment_attempts"),
        sa.UniqueConstraint("invoice_id", "attempt", name="uq_payment_attempts_invoice_id_attempt"),
    )
    op.create_index("ix_payment_attempts_status_due_at", "payment_attempts", ["status", "due_at"])
    op.create_index(
        "ix_payment_attempts_payer_organisation_id", "payment_attempts", ["payer_organisation_id"]
    )
    op.create_index(
        "ix_payment_attempts_stripe_payment_intent_id", "payment_attempts", ["stripe_payment_intent_id"]
    )
    op.create_table(
        "stripe_webhook_events",
        _text("event_id"),
        _text("event_type"),
        _instant("received_at"),
        sa.PrimaryKeyConstraint("event_id", name="pk_stripe_webhook_events"),
    )


def _reminders() -> None:
    op.create_table(
        "reminder_preferences",
        _uuid("organisation_id"),
        sa.Column("reminders_enabled", sa.Boolean, nullable=False),
        sa.Column("lead_days", ARRAY(sa.Integer), nullable=False),
        sa.Column("auto_renewal_notice", sa.Boolean, nullable=False),
        _instant("updated_at"),
        _uuid("updated_by_user_id"),
        sa.PrimaryKeyConstraint("organisation_id", name="pk_reminder_preferences"),
    )
    op.create_table(
        "renewal_reminders",
        _uuid("reminder_id"),
        _uuid("subscription_id"),
        sa.Column("renews_on", sa.Date, nullable=False),
        sa.Column("lead_days", sa.Integer, nullable=False),
        _text("kind"),
        _uuid("payer_organisation_id"),
        _instant("sent_at"),
        sa.CheckConstraint("lead_days BETWEEN 0 AND 62", name=op.f("ck_renewal_reminders_lead_days")),
        sa.CheckConstraint(f"kind IN {NOTICE_KINDS}", name=op.f("ck_renewal_reminders_kind")),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.subscription_id"],
            name="fk_renewal_reminders_subscription_id",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("reminder_id", name="pk_renewal_reminders"),
        # Never the same reminder twice: the row is written with its event, in one transaction.
        sa.UniqueConstraint(
            "subscription_id",
            "renews_on",
            "lead_days",
            name="uq_renewal_reminders_subscription_id_renews_on_lead_days",
        ),
    )


def _addresses() -> None:
    op.create_table(
        "billing_addresses",
        _uuid("address_id"),
        _uuid("organisation_id"),
        _text("name"),
        _text("line1"),
        _text("line2", nullable=True),
        _text("postal_code"),
        _text("city"),
        _text("region", nullable=True),
        _text("country"),
        sa.Column("is_default", sa.Boolean, nullable=False),
        _instant("created_at"),
        _instant("updated_at"),
        sa.CheckConstraint("country ~ '^[A-Z]{2}$'", name=op.f("ck_billing_addresses_country")),
        sa.PrimaryKeyConstraint("address_id", name="pk_billing_addresses"),
    )
    op.create_index("ix_billing_addresses_organisation_id", "billing_addresses", ["organisation_id"])
    op.create_index(
        "uq_billing_addresses_default",
        "billing_addresses",
        ["organisation_id"],
        unique=True,
        postgresql_where=sa.text("is_default"),
    )


def downgrade() -> None:
    for table in (
        "billing_addresses",
        "renewal_reminders",
        "reminder_preferences",
        "stripe_webhook_events",
        "payment_attempts",
        "payment_methods",
        "card_setups",
        "stripe_customers",
    ):
        op.drop_table(table)
