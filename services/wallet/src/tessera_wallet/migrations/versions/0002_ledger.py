"""wallets, the double-entry ledger, card charges, refused usage, and projections of others' events.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)

# The database itself refuses an unbalanced transaction (checked at commit) and any change to a
# written entry: the ledger is append-only.
LEDGER_GUARDS = (
    """
    CREATE FUNCTION ledger_transaction_balances() RETURNS trigger AS $$
    BEGIN
        IF (SELECT COALESCE(SUM(amount_minor), 0) FROM ledger_entries
            WHERE transaction_id = NEW.transaction_id) <> 0 THEN
            RAISE EXCEPTION 'ledger transaction % does not sum to zero', NEW.transaction_id;
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE CONSTRAINT TRIGGER ledger_entries_sum_to_zero AFTER INSERT ON ledger_entries
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_transaction_balances()
    """,
    """
    CREATE FUNCTION ledger_entries_are_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'ledger entries are never changed or deleted';
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
        FOR EACH ROW EXECUTE FUNCTION ledger_entries_are_append_only()
    """,
)


def upgrade() -> None:
    op.create_table(
        "wallets",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("complimentary_minor", sa.BigInteger(), nullable=False),
        sa.Column("receipts_to_client", sa.Boolean(), nullable=False),
        sa.Column("threshold_minor", sa.BigInteger(), nullable=True),
        sa.Column("recharge_amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("monthly_cap_minor", sa.BigInteger(), nullable=True),
        sa.Column("auto_recharge_enabled", sa.Boolean(), nullable=False),
        sa.Column("auto_recharge_paused", sa.Boolean(), nullable=False),
        sa.Column("recharge_failures_in_a_row", sa.Integer(), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.UniqueConstraint("organisation_id", "currency", name="one_wallet_per_organisation_and_currency"),
        sa.CheckConstraint("currency IN ('CHF', 'EUR')", name="wallet_currency"),
        sa.CheckConstraint("paid_minor >= 0 AND complimentary_minor >= 0", name="wallet_never_negative"),
    )
    op.create_table(
        "ledger_transactions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("wallet_id", sa.Uuid(), sa.ForeignKey("wallets.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reference_id", sa.Uuid(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("complimentary_change_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_change_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_after_minor", sa.BigInteger(), nullable=False),
        sa.Column("complimentary_after_minor", sa.BigInteger(), nullable=False),
        sa.Column("usage_kind", sa.String(20), nullable=True),
        sa.Column("usage_quantity", sa.Integer(), nullable=True),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", TS, nullable=False),
        # One movement per usage, charge or grant: a repeat of the same reference is a duplicate.
        sa.UniqueConstraint("kind", "reference_id", name="one_transaction_per_reference"),
        sa.CheckConstraint("amount_minor > 0", name="transaction_amount_positive"),
    )
    op.create_index(
        "ledger_transactions_history", "ledger_transactions", ["wallet_id", "recorded_at", "id"]
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("transaction_id", sa.Uuid(), sa.ForeignKey("ledger_transactions.id"), nullable=False),
        sa.Column("wallet_id", sa.Uuid(), sa.ForeignKey("wallets.id"), nullable=False),
        sa.Column("account", sa.String(20), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
    )
    op.create_index("ledger_entries_by_transaction", "ledger_entries", ["transaction_id"])
    op.create_index("ledger_entries_by_account", "ledger_entries", ["wallet_id", "account"])
    for statement in LEDGER_GUARDS:
        op.execute(statement)
    op.create_table(
        "charges",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("wallet_id", sa.Uuid(), sa.ForeignKey("wallets.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TS, nullable=True),
        sa.Column("lease_until", TS, nullable=True),
        sa.Column("stripe_customer_id", sa.String(255), nullable=True),
        sa.Column("payment_method_id", sa.String(255), nullable=True),
        sa.Column("payment_intent_id", sa.String(255), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("requested_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("settled_at", TS, nullable=True),
        sa.CheckConstraint("amount_minor > 0", name="charge_amount_positive"),
    )
    # At most one automatic recharge open per wallet, whatever the number of concurrent debits.
    op.create_index(
        "one_open_recharge_per_wallet",
        "charges",
        ["wallet_id"],
        unique=True,
        postgresql_where=sa.text("kind = 'auto_recharge' AND status IN ('due', 'charging', 'pending')"),
    )
    op.create_index(
        "charges_to_attempt",
        "charges",
        ["next_attempt_at"],
        postgresql_where=sa.text("status IN ('due', 'charging', 'pending')"),
    )
    op.create_index("charges_by_wallet", "charges", ["wallet_id", "kind", "created_at"])
    op.create_table(
        "usage_refusals",
        sa.Column("usage_id", sa.Uuid(), primary_key=True),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("wallet_id", sa.Uuid(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("available_minor", sa.BigInteger(), nullable=True),
        sa.Column("refused_at", TS, nullable=False),
    )
    op.create_table(
        "organisations",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
    )
    op.create_table(
        "memberships",
        sa.Column("organisation_id", sa.Uuid(), primary_key=True),
        sa.Column("user_id", sa.Uuid(), primary_key=True),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "partner_access",
        sa.Column("relationship_id", sa.Uuid(), primary_key=True),
        sa.Column("partner_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("client_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("access", sa.String(20), nullable=False),
        sa.Column("product_codes", postgresql.ARRAY(sa.String(100)), nullable=False),
        sa.Column("access_ends_at", TS, nullable=True),
        sa.Column("ended", sa.Boolean(), nullable=False),
    )
    op.create_index("partner_access_by_client", "partner_access", ["client_organisation_id"])
    op.create_table(
        "payment_methods",
        sa.Column("organisation_id", sa.Uuid(), primary_key=True),
        sa.Column("stripe_customer_id", sa.String(255), nullable=False),
        sa.Column("payment_method_id", sa.String(255), nullable=True),
        sa.Column("changed_at", TS, nullable=False),
    )


def downgrade() -> None:
    for table in ("payment_methods", "partner_access", "memberships", "organisations", "usage_refusals"):
        op.drop_table(table)
    op.drop_table("charges")
    op.drop_table("ledger_entries")
    op.execute("DROP FUNCTION ledger_transaction_balances()")
    op.execute("DROP FUNCTION ledger_entries_are_append_only()")
    op.drop_table("ledger_transactions")
    op.drop_table("wallets")
