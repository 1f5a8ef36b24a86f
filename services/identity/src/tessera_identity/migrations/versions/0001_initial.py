"""identity's first schema: the kit's tables, organisations, users, memberships, signing keys.

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

LOCALES = "('en', 'de', 'fr', 'it', 'es')"


def upgrade() -> None:
    create_kit_tables()
    op.create_table(
        "organisations",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("locale", sa.String(2), nullable=False),
        sa.Column("billing_email", sa.Text, nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('company', 'individual')", name="organisations_kind"),
        sa.CheckConstraint(f"locale IN {LOCALES}", name="organisations_locale"),
        sa.CheckConstraint("country ~ '^[A-Z]{2}$'", name="organisations_country"),
    )
    op.create_table(
        "users",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("locale", sa.String(2), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"locale IN {LOCALES}", name="users_locale"),
    )
    op.create_index("users_email_lower_key", "users", [sa.text("lower(email)")], unique=True)
    op.create_table(
        "memberships",
        sa.Column("organisation_id", UUID(as_uuid=True), sa.ForeignKey("organisations.id"), primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('legal_representative', 'administrator', 'member')", name="memberships_role"
        ),
    )
    op.create_index("ix_memberships_user_id", "memberships", ["user_id"])
    op.create_table(
        "signing_keys",
        sa.Column("key_id", sa.Text, primary_key=True),
        sa.Column("algorithm", sa.Text, nullable=False),
        sa.Column("public_key_pem", sa.Text, nullable=False),
        sa.Column("private_key_pem", sa.Text, nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_index(
        "signing_keys_one_active", "signing_keys", ["active"], unique=True, postgresql_where=sa.text("active")
    )


def downgrade() -> None:
    op.drop_table("signing_keys")
    op.drop_table("memberships")
    op.drop_table("users")
    op.drop_table("organisations")
    drop_kit_tables()
