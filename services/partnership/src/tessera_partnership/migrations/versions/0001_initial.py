"""Organisations projection, relationships and the billing mode history.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID
from tessera_kit.migrations import create_kit_tables, drop_kit_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kit_tables()
    op.create_table(
        "organisations",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
    )
    op.create_table(
        "relationships",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("partner_organisation_id", UUID(as_uuid=True), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("client_organisation_id", UUID(as_uuid=True), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("access", sa.String(20), nullable=False),
        sa.Column("billing_mode", sa.String(20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("partner_organisation_id", "client_organisation_id"),
    )
    op.create_index("ix_relationships_partner", "relationships", ["partner_organisation_id"])
    op.create_index("ix_relationships_client", "relationships", ["client_organisation_id"])
    op.create_table(
        "billing_mode_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("relationship_id", UUID(as_uuid=True), sa.ForeignKey("relationships.id"), nullable=False),
        sa.Column("previous_mode", sa.String(20), nullable=False),
        sa.Column("billing_mode", sa.String(20), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by_user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_billing_mode_changes_relationship", "billing_mode_changes", ["relationship_id"])


def downgrade() -> None:
    op.drop_table("billing_mode_changes")
    op.drop_table("relationships")
    op.drop_table("organisations")
    drop_kit_tables()
