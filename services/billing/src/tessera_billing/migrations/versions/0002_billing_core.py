"""Billing core: product kinds and volume tiers, tags, the identity and partner-terms projections,
invoices with gapless numbering, renewals, the cashback ledger and the billing history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENCIES = "('CHF', 'EUR')"
KINDS = "('hosting', 'domain', 'saas', 'resale', 'marketplace_app')"
INVOICE_STATUSES = "('draft', 'issued', 'paid', 'void', 'uncollectible')"
TAX_TREATMENTS = "('swiss_vat', 'eu_reverse_charge', 'standard_rate')"
HISTORY_KINDS = "('charge', 'refund', 'credit')"

EXISTING_KINDS = {"web-hosting-pro": "hosting", "domain-ch": "domain", "mail-pro": "saas"}
NEW_PRODUCTS = [
    {"code": "web-hosting-starter", "name": "Web Hosting Starter", "period": "monthly", "kind": "hosting"},
    {"code": "kchat-business", "name": "kChat Business", "period": "monthly", "kind": "saas"},
    {"code": "ssl-certificate-ev", "name": "SSL Certificate EV", "period": "yearly", "kind": "resale"},
    {"code": "wp-backup-app", "name": "WordPress Backup App", "period": "monthly", "kind": "marketplace_app"},
]
NEW_PRICES = [
    {"product_code": "web-hosting-starter", "currency": "CHF", "amount_minor": 590},
    {"product_code": "web-hosting-starter", "currency": "EUR", "amount_minor": 550},
    {"product_code": "kchat-business", "currency": "CHF", "amount_minor": 1200},
    {"product_code": "kchat-business", "currency": "EUR", "amount_minor": 1100},
    {"product_code": "ssl-certificate-ev", "currency": "CHF", "amount_minor": 24900},
    {"product_code": "ssl-certificate-ev", "currency": "EUR", "amount_minor": 22900},
    {"product_code": "wp-backup-app", "currency": "CHF", "amount_minor": 490},
    {"product_code": "wp-backup-app", "currency": "EUR", "amount_minor": 450},
]
# Hosting's decreasing prices: from the n-th hosting of one kind an organisation owns, a lower price.
TIERS = [
    {"product_code": code, "min_quantity": quantity, "discount_bp": discount}
    for code in ("web-hosting-pro", "web-hosting-starter")
    for quantity, discount in ((1, 0), (3, 1000), (10, 2000))
]


def _uuid(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, UUID(as_uuid=True), nullable=nullable)


def _instant(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    _catalogue()
    _projections()
    _subscriptions_and_tags()
    _invoices()
    _ledgers()


def _catalogue() -> None:
    op.add_column("products", sa.Column("kind", sa.Text, nullable=True))
    for code, kind in EXISTING_KINDS.items():
        op.execute(sa.text("UPDATE products SET kind = :kind WHERE code = :code").bindparams(kind=kind, code=code))
    op.alter_column("products", "kind", nullable=False)
    op.create_check_constraint(op.f("ck_products_kind"), "products", f"kind IN {KINDS}")
    products = sa.table(
        "products", sa.column("code"), sa.column("name"), sa.column("period"), sa.column("kind")
    )
    prices = sa.table("product_prices", sa.column("product_code"), sa.column("currency"), sa.column("amount_minor"))
    op.bulk_insert(products, NEW_PRODUCTS)
    op.bulk_insert(prices, NEW_PRICES)
    tiers = op.create_table(
        "product_price_tiers",
        sa.Column("product_code", sa.Text, nullable=False),
        sa.Column("min_quantity", sa.Integer, nullable=False),
        sa.Column("discount_bp", sa.Integer, nullable=False),
        sa.CheckConstraint("min_quantity >= 1", name=op.f("ck_product_price_tiers_min_quantity")),
        sa.CheckConstraint("discount_bp BETWEEN 0 AND 10000", name=op.f("ck_product_price_tiers_discount_bp")),
        sa.ForeignKeyConstraint(["product_code"], ["products.code"], name="fk_product_price_tiers_product_code"),
        sa.PrimaryKeyConstraint("product_code", "min_quantity", name="pk_product_price_tiers"),
    )
    op.bulk_insert(tiers, TIERS)


def _projections() -> None:
    op.create_table(
        "organisations",
        _uuid("organisation_id"),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("country", sa.Text, nullable=False),
        sa.Column("vat_number", sa.Text, nullable=True),
        _instant("updated_at"),
        sa.PrimaryKeyConstraint("organisation_id", name="pk_organisations"),
    )
    op.create_table(
        "partner_terms",
        _uuid("partner_organisation_id"),
        _instant("effective_from"),
        sa.Column("tier", sa.Text, nullable=False),
        sa.Column("reseller_discount_bp", sa.Integer, nullable=False),
        sa.Column("cashback_bp", sa.Integer, nullable=False),
        sa.CheckConstraint(
            "reseller_discount_bp BETWEEN 0 AND 3500", name=op.f("ck_partner_terms_reseller_discount_bp")
        ),
        sa.CheckConstraint("cashback_bp BETWEEN 0 AND 3500", name=op.f("ck_partner_terms_cashback_bp")),
        sa.PrimaryKeyConstraint("partner_organisation_id", "effective_from", name="pk_partner_terms"),
    )
    op.add_column("partner_relationships", _instant("ended_at", nullable=True))
    op.add_column("partner_relationships", _instant("access_ends_at", nullable=True))
    op.add_column(
        "partner_relationships",
        sa.Column("product_codes", ARRAY(sa.Text), nullable=False, server_default=sa.text("'{}'")),
    )


def _subscriptions_and_tags() -> None:
    op.add_column("subscriptions", _uuid("ordered_by_organisation_id", nullable=True))
    op.add_column("subscriptions", sa.Column("product_kind", sa.Text, nullable=True))
    op.add_column("subscriptions", _instant("cancelled_at", nullable=True))
    op.execute(
        "UPDATE subscriptions SET product_kind = products.kind, ordered_by_organisation_id = owner_organisation_id "
        "FROM products WHERE products.code = subscriptions.product_code"
    )
    op.alter_column("subscriptions", "product_kind", nullable=False)
    op.alter_column("subscriptions", "ordered_by_organisation_id", nullable=False)
    op.create_check_constraint(op.f("ck_subscriptions_product_kind"), "subscriptions", f"product_kind IN {KINDS}")
    op.create_table(
        "tags",
        _uuid("tag_id"),
        _uuid("organisation_id"),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("colour", sa.Text, nullable=False),
        _instant("created_at"),
        sa.CheckConstraint("colour ~ '^#[0-9a-f]{6}$'", name=op.f("ck_tags_colour")),
        sa.PrimaryKeyConstraint("tag_id", name="pk_tags"),
    )
    op.create_index("uq_tags_organisation_id_name", "tags", ["organisation_id", sa.text("lower(name)")], unique=True)
    op.create_table(
        "subscription_tags",
        _uuid("subscription_id"),
        _uuid("tag_id"),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["subscriptions.subscription_id"],
            name="fk_subscription_tags_subscription_id", ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.tag_id"], name="fk_subscription_tags_tag_id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("subscription_id", "tag_id", name="pk_subscription_tags"),
    )
    op.create_index("ix_subscription_tags_tag_id", "subscription_tags", ["tag_id"])


def _invoices() -> None:
    op.create_table(
        "invoice_series",
        sa.Column("series", sa.Text, nullable=False),
        sa.Column("last_number", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("series", name="pk_invoice_series"),
    )
    op.create_table(
        "invoices",
        _uuid("invoice_id"),
        sa.Column("series", sa.Text, nullable=False),
        sa.Column("number", sa.Text, nullable=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        _uuid("payer_organisation_id"),
        _uuid("owner_organisation_id"),
        _uuid("relationship_id", nullable=True),
        _uuid("partner_organisation_id", nullable=True),
        _uuid("ordered_by_user_id"),
        _uuid("ordered_by_organisation_id"),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("subtotal_minor", sa.BigInteger, nullable=False),
        sa.Column("tax_minor", sa.BigInteger, nullable=False),
        sa.Column("total_minor", sa.BigInteger, nullable=False),
        sa.Column("tax_treatment", sa.Text, nullable=False),
        sa.Column("tax_rate_bp", sa.Integer, nullable=False),
        sa.Column("tax_reason", sa.Text, nullable=False),
        sa.Column("payer_name", sa.Text, nullable=False),
        sa.Column("payer_country", sa.Text, nullable=True),
        sa.Column("payer_vat_number", sa.Text, nullable=True),
        _uuid("cashback_partner_organisation_id", nullable=True),
        sa.Column("cashback_rate_bp", sa.Integer, nullable=False, server_default="0"),
        _instant("created_at"),
        _instant("issued_at", nullable=True),
        sa.Column("due_on", sa.Date, nullable=True),
        _instant("paid_at", nullable=True),
        _instant("closed_at", nullable=True),
        sa.Column("close_reason", sa.Text, nullable=True),
        sa.CheckConstraint(f"status IN {INVOICE_STATUSES}", name=op.f("ck_invoices_status")),
        sa.CheckConstraint("kind IN ('order', 'renewal')", name=op.f("ck_invoices_kind")),
        sa.CheckConstraint(f"currency IN {CURRENCIES}", name=op.f("ck_invoices_currency")),
        sa.CheckConstraint(f"tax_treatment IN {TAX_TREATMENTS}", name=op.f("ck_invoices_tax_treatment")),
        sa.CheckConstraint("total_minor = subtotal_minor + tax_minor", name=op.f("ck_invoices_total_adds_up")),
        sa.CheckConstraint("status = 'draft' OR number IS NOT NULL", name=op.f("ck_invoices_numbered_once_issued")),
        sa.PrimaryKeyConstraint("invoice_id", name="pk_invoices"),
        sa.UniqueConstraint("number", name="uq_invoices_number"),
    )
    op.create_index("ix_invoices_payer_organisation_id", "invoices", ["payer_organisation_id", "issued_at"])
    op.create_index("ix_invoices_owner_organisation_id", "invoices", ["owner_organisation_id"])
    op.create_table(
        "invoice_lines",
        _uuid("invoice_id"),
        sa.Column("position", sa.Integer, nullable=False),
        _uuid("subscription_id", nullable=True),
        sa.Column("product_code", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("list_price_minor", sa.BigInteger, nullable=False),
        sa.Column("discount_minor", sa.BigInteger, nullable=False),
        sa.Column("discount_reason", sa.Text, nullable=True),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.CheckConstraint("amount_minor = list_price_minor - discount_minor", name=op.f("ck_invoice_lines_amount")),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.invoice_id"], name="fk_invoice_lines_invoice_id", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("invoice_id", "position", name="pk_invoice_lines"),
    )
    op.create_table(
        "renewals",
        _uuid("subscription_id"),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        _uuid("payer_organisation_id"),
        _uuid("invoice_id"),
        _instant("renewed_at"),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["subscriptions.subscription_id"], name="fk_renewals_subscription_id"
        ),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.invoice_id"], name="fk_renewals_invoice_id"),
        sa.PrimaryKeyConstraint("subscription_id", "number", name="pk_renewals"),
    )


def _ledgers() -> None:
    op.create_table(
        "cashback_entries",
        _uuid("entry_id"),
        _uuid("partner_organisation_id"),
        _uuid("client_organisation_id"),
        _uuid("relationship_id"),
        _uuid("invoice_id"),
        sa.Column("invoice_number", sa.Text, nullable=False),
        sa.Column("rate_bp", sa.Integer, nullable=False),
        sa.Column("base_minor", sa.BigInteger, nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        _instant("earned_at"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.invoice_id"], name="fk_cashback_entries_invoice_id"),
        sa.PrimaryKeyConstraint("entry_id", name="pk_cashback_entries"),
        # Never twice: one invoice earns its partner cashback at most once.
        sa.UniqueConstraint("invoice_id", name="uq_cashback_entries_invoice_id"),
    )
    op.create_index(
        "ix_cashback_entries_partner_organisation_id", "cashback_entries", ["partner_organisation_id", "earned_at"]
    )
    op.create_table(
        "billing_history",
        _uuid("entry_id"),
        _uuid("organisation_id"),
        sa.Column("kind", sa.Text, nullable=False),
        _uuid("invoice_id", nullable=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        _instant("occurred_at"),
        sa.CheckConstraint(f"kind IN {HISTORY_KINDS}", name=op.f("ck_billing_history_kind")),
        sa.PrimaryKeyConstraint("entry_id", name="pk_billing_history"),
    )
    op.create_index(
        "ix_billing_history_organisation_id", "billing_history", ["organisation_id", "occurred_at", "entry_id"]
    )


def downgrade() -> None:
    for table in (
        "billing_history",
        "cashback_entries",
        "renewals",
        "invoice_lines",
        "invoices",
        "invoice_series",
        "subscription_tags",
        "tags",
        "partner_terms",
        "organisations",
        "product_price_tiers",
    ):
        op.drop_table(table)
    for column in ("cancelled_at", "product_kind", "ordered_by_organisation_id"):
        op.drop_column("subscriptions", column)
    for column in ("product_codes", "access_ends_at", "ended_at"):
        op.drop_column("partner_relationships", column)
    op.execute("DELETE FROM product_prices WHERE product_code IN "
               "('web-hosting-starter', 'kchat-business', 'ssl-certificate-ev', 'wp-backup-app')")
    op.execute("DELETE FROM products WHERE code IN "
               "('web-hosting-starter', 'kchat-business', 'ssl-certificate-ev', 'wp-backup-app')")
    op.drop_column("products", "kind")
