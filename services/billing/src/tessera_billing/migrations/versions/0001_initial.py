"""Billing's first schema: the kit's tables, the catalogue (seeded), relationships and subscriptions.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from tessera_kit.migrations import create_kit_tables, drop_kit_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENCIES = "('CHF', 'EUR')"
PERIODS = "('monthly', 'yearly')"

PRODUCTS = [
    {"code": "web-hosting-pro", "name": "Web Hosting Pro", "period": "yearly"},
    {"code": "domain-ch", "name": ".ch domain", "period": "yearly"},
    {"code": "mail-pro", "name": "Mail Pro", "period": "monthly"},
]
PRICES = [
    {"product_code": "web-hosting-pro", "currency": "CHF", "amount_minor": 11900},
    {"product_code": "web-hosting-pro", "currency": "EUR", "amount_minor": 10900},
    {"product_code": "domain-ch", "currency": "CHF", "amount_minor": 1300},
    {"product_code": "domain-ch", "currency": "EUR", "amount_minor": 1200},
    {"product_code": "mail-pro", "currency": "CHF", "amount_minor": 350},
    {"product_code": "mail-pro", "currency": "EUR", "amount_minor": 320},
]


def upgrade() -> None:
    create_kit_tables()

    products = op.create_table(
        "products",
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.CheckConstraint(f"period IN {PERIODS}", name=op.f("ck_products_period")),
        sa.PrimaryKeyConstraint("code", name="pk_products"),
    )
    prices = op.create_table(
        "product_prices",
        sa.Column("product_code", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.CheckConstraint(f"currency IN {CURRENCIES}", name=op.f("ck_product_prices_currency")),
        sa.CheckConstraint("amount_minor >= 0", name=op.f("ck_product_prices_amount_not_negative")),
        sa.ForeignKeyConstraint(["product_code"], ["products.code"], name="fk_product_prices_product_code"),
        sa.PrimaryKeyConstraint("product_code", "currency", name="pk_product_prices"),
    )

    op.create_table(
        "partner_relationships",
        sa.Column("relationship_id", UUID(as_uuid=True), nullable=False),
        sa.Column("partner_organisation_id", UUID(as_uuid=True), nullable=False),
        sa.Column("client_organisation_id", UUID(as_uuid=True), nullable=False),
        sa.Column("access", sa.Text, nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("access IN ('full', 'restricted')", name=op.f("ck_partner_relationships_access")),
        sa.PrimaryKeyConstraint("relationship_id", name="pk_partner_relationships"),
    )
    op.create_index(
        "ix_partner_relationships_client_organisation_id",
        "partner_relationships",
        ["client_organisation_id"],
    )
    op.create_table(
        "relationship_billing_modes",
        sa.Column("relationship_id", UUID(as_uuid=True), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("billing_mode", sa.Text, nullable=False),
        sa.CheckConstraint(
            "billing_mode IN ('client_pays', 'partner_pays')",
            name=op.f("ck_relationship_billing_modes_billing_mode"),
        ),
        sa.ForeignKeyConstraint(
            ["relationship_id"],
            ["partner_relationships.relationship_id"],
            name="fk_relationship_billing_modes_relationship_id",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("relationship_id", "effective_from", name="pk_relationship_billing_modes"),
    )

    op.create_table(
        "subscriptions",
        sa.Column("subscription_id", UUID(as_uuid=True), nullable=False),
        sa.Column("owner_organisation_id", UUID(as_uuid=True), nullable=False),
        sa.Column("relationship_id", UUID(as_uuid=True), nullable=True),
        sa.Column("product_code", sa.Text, nullable=False),
        sa.Column("product_name", sa.Text, nullable=False),
        sa.Column("price_amount_minor", sa.BigInteger, nullable=False),
        sa.Column("price_currency", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ordered_by_user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("renewed_periods", sa.Integer, nullable=False),
        sa.Column("next_renewal_on", sa.Date, nullable=False),
        sa.CheckConstraint(f"price_currency IN {CURRENCIES}", name=op.f("ck_subscriptions_price_currency")),
        sa.CheckConstraint(f"period IN {PERIODS}", name=op.f("ck_subscriptions_period")),
        sa.CheckConstraint(
            "renewed_periods >= 0", name=op.f("ck_subscriptions_renewed_periods_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["relationship_id"],
            ["partner_relationships.relationship_id"],
            name="fk_subscriptions_relationship_id",
        ),
        sa.ForeignKeyConstraint(["product_code"], ["products.code"], name="fk_subscriptions_product_code"),
        sa.PrimaryKeyConstraint("subscription_id", name="pk_subscriptions"),
    )
    op.create_index("ix_subscriptions_owner_organisation_id", "subscriptions", ["owner_organisation_id"])
    op.create_index("ix_subscriptions_relationship_id", "subscriptions", ["relationship_id"])
    op.create_index("ix_subscriptions_next_renewal_on", "subscriptions", ["next_renewal_on"])
    op.create_table(
        "payer_assignments",
        sa.Column("subscription_id", UUID(as_uuid=True), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payer_organisation_id", UUID(as_uuid=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.subscription_id"],
            name="fk_payer_assignments_subscription_id",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subscription_id", "effective_from", name="pk_payer_assignments"),
    )
    op.create_index(
        "ix_payer_assignments_payer_organisation_id", "payer_assignments", ["payer_organisation_id"]
    )

    op.bulk_insert(products, PRODUCTS)
    op.bulk_insert(prices, PRICES)


def downgrade() -> None:
    for table in (
        "payer_assignments",
        "subscriptions",
        "relationship_billing_modes",
        "partner_relationships",
        "product_prices",
        "products",
    ):
        op.drop_table(table)
    drop_kit_tables()
