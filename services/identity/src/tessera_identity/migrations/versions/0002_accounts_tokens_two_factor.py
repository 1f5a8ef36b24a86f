"""Organisation profiles (VAT, registry number, addresses), 2FA, recovery, app passwords, API tokens.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _organisation_profile()
    _two_factor()
    _app_passwords()
    _api_tokens()


def _organisation_profile() -> None:
    op.add_column("organisations", sa.Column("vat_number", sa.Text))
    op.add_column("organisations", sa.Column("vat_terms_accepted_at", sa.DateTime(timezone=True)))
    op.add_column("organisations", sa.Column("vat_terms_accepted_by", UUID(as_uuid=True)))
    op.add_column("organisations", sa.Column("registry_number", sa.Text))
    op.add_column(
        "organisations", sa.Column("addresses", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb"))
    )
    op.create_check_constraint(
        "organisations_vat_terms",
        "organisations",
        "vat_number IS NULL OR (vat_terms_accepted_at IS NOT NULL AND vat_terms_accepted_by IS NOT NULL)",
    )


def _two_factor() -> None:
    op.add_column("users", sa.Column("totp_secret", sa.Text))
    op.add_column("users", sa.Column("totp_pending_secret", sa.Text))
    op.add_column("users", sa.Column("totp_enabled_at", sa.DateTime(timezone=True)))
    op.add_column("users", sa.Column("totp_last_step", sa.BigInteger))
    op.add_column(
        "users", sa.Column("second_factor_failures", sa.Integer, nullable=False, server_default=sa.text("0"))
    )
    op.add_column("users", sa.Column("second_factor_locked_until", sa.DateTime(timezone=True)))
    op.create_table(
        "backup_codes",
        sa.Column("code_hash", sa.Text, primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "two_factor_recovery_requests",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("documents", JSONB, nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decided_by", UUID(as_uuid=True)),
        sa.Column("decision_reason", sa.Text),
        sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="recovery_status"),
    )
    op.create_index(
        "recovery_one_pending_per_user",
        "two_factor_recovery_requests",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )


def _app_passwords() -> None:
    op.create_table(
        "app_passwords",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("secret_hash", sa.Text, nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )


def _api_tokens() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column(
            "organisation_id", UUID(as_uuid=True), sa.ForeignKey("organisations.id"), nullable=False, index=True
        ),
        sa.Column("owner_user_id", UUID(as_uuid=True), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("application", sa.Text, nullable=False),
        sa.Column("permissions", JSONB, nullable=False),
        sa.Column("secret_hash", sa.Text, nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
        sa.Column("deactivation_warned_at", sa.DateTime(timezone=True)),
        sa.Column("deactivated_at", sa.DateTime(timezone=True)),
        sa.Column("deactivation_reason", sa.String(16)),
        sa.CheckConstraint(
            "deactivation_reason IS NULL OR deactivation_reason IN ('unused', 'expired', 'revoked')",
            name="api_tokens_reason",
        ),
    )
    # The sweep looks only at tokens still in use.
    op.create_index(
        "api_tokens_active", "api_tokens", ["id"], postgresql_where=sa.text("deactivated_at IS NULL")
    )


def downgrade() -> None:
    op.drop_table("api_tokens")
    op.drop_table("app_passwords")
    op.drop_table("two_factor_recovery_requests")
    op.drop_table("backup_codes")
    for column in ("second_factor_locked_until", "second_factor_failures", "totp_last_step", "totp_enabled_at", "totp_pending_secret", "totp_secret"):
        op.drop_column("users", column)
    op.drop_constraint("organisations_vat_terms", "organisations")
    for column in ("addresses", "registry_number", "vat_terms_accepted_by", "vat_terms_accepted_at", "vat_number"):
        op.drop_column("organisations", column)
