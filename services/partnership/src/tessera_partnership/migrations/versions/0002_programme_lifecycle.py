"""Relationship lifecycle (proposals, scoped and time-bound access, staff, endings), memberships, the
partner programme, affiliates, managed volume and cashback, the directory and offer requests.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("organisations", sa.Column("registry_number", sa.String(64), nullable=True))
    op.create_table(
        "memberships",
        sa.Column("organisation_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("role", sa.String(30), nullable=False),
    )
    _extend_relationships()
    _programme_tables()
    _directory_and_offer_tables()


def _extend_relationships() -> None:
    # Relationships from 0001 were started by the client at once: they are active, client-proposed.
    columns: list[sa.Column[Any]] = [
        sa.Column("status", sa.String(20), nullable=False, server_default="active"),
        sa.Column("product_codes", ARRAY(sa.String(64)), nullable=False, server_default="{}"),
        sa.Column("access_ends_at", TS, nullable=True),
        sa.Column("ending_warned_for", TS, nullable=True),
        sa.Column("proposed_by", sa.String(10), nullable=True),
        sa.Column("proposed_by_user_id", UUID(as_uuid=True), nullable=True),
        sa.Column("proposed_at", TS, nullable=True),
        sa.Column("proposal_expires_at", TS, nullable=True),
        sa.Column("ended_at", TS, nullable=True),
        sa.Column("end_reason", sa.String(30), nullable=True),
        sa.Column("ended_by_user_id", UUID(as_uuid=True), nullable=True),
        sa.Column("staff_user_ids", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    ]
    for column in columns:
        op.add_column("relationships", column)
    op.alter_column("relationships", "status", server_default=None)
    op.alter_column("relationships", "started_at", nullable=True)
    # 0001's one-relationship-per-pair constraint (PostgreSQL named and truncated it): a pair may now
    # have ended relationships and a new one.
    op.execute(
        "DO $$ DECLARE name text; BEGIN "
        "SELECT conname INTO name FROM pg_constraint "
        "WHERE conrelid = 'relationships'::regclass AND contype = 'u'; "
        "EXECUTE format('ALTER TABLE relationships DROP CONSTRAINT %I', name); END $$"
    )
    op.create_index(
        "ux_relationships_current_pair",
        "relationships",
        ["partner_organisation_id", "client_organisation_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('proposed', 'active')"),
    )
    # The jobs look for time-bound access and pending proposals among relationships in force.
    op.create_index(
        "ix_relationships_access_ends_at",
        "relationships",
        ["access_ends_at"],
        postgresql_where=sa.text("status = 'active' AND access_ends_at IS NOT NULL"),
    )


def _programme_tables() -> None:
    op.create_table(
        "partners",
        sa.Column("organisation_id", UUID(as_uuid=True), sa.ForeignKey("organisations.id"), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("website_url", sa.String(300), nullable=False),
        sa.Column("registry_number", sa.String(64), nullable=False),
        sa.Column("commitment_minor", sa.BigInteger, nullable=False),
        sa.Column("commitment_currency", sa.String(3), nullable=False),
        sa.Column("applied_at", TS, nullable=False),
        sa.Column("status_changed_at", TS, nullable=False),
        sa.Column("tier", sa.String(30), nullable=True),
    )
    op.create_table(
        "affiliates",
        sa.Column("organisation_id", UUID(as_uuid=True), sa.ForeignKey("organisations.id"), primary_key=True),
        sa.Column("joined_at", TS, nullable=False),
    )
    op.create_table(
        "paid_invoices",
        sa.Column("invoice_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("partner_organisation_id", UUID(as_uuid=True), nullable=False),
        sa.Column("client_organisation_id", UUID(as_uuid=True), nullable=False),
        sa.Column("total_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("paid_at", TS, nullable=False),
    )
    op.create_index("ix_paid_invoices_partner_paid_at", "paid_invoices", ["partner_organisation_id", "paid_at"])
    op.create_table(
        "cashback_entries",
        sa.Column("entry_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("partner_organisation_id", UUID(as_uuid=True), nullable=False),
        sa.Column("client_organisation_id", UUID(as_uuid=True), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("earned_at", TS, nullable=False),
    )
    op.create_index(
        "ix_cashback_entries_partner_earned_at", "cashback_entries", ["partner_organisation_id", "earned_at"]
    )


def _directory_and_offer_tables() -> None:
    op.create_table(
        "directory_listings",
        sa.Column("organisation_id", UUID(as_uuid=True), sa.ForeignKey("organisations.id"), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("website_url", sa.String(300), nullable=False),
        sa.Column("country", sa.String(2), nullable=False, index=True),
        sa.Column("languages", ARRAY(sa.String(5)), nullable=False),
        sa.Column("specialties", ARRAY(sa.String(40)), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("accepts_offer_requests", sa.Boolean, nullable=False),
        sa.Column("listed_at", TS, nullable=False),
    )
    op.create_table(
        "offer_requests",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("client_organisation_id", UUID(as_uuid=True), nullable=False, index=True),
        sa.Column("posted_by_user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("languages", ARRAY(sa.String(5)), nullable=False),
        sa.Column("contact_name", sa.String(200), nullable=False),
        sa.Column("contact_email", sa.String(320), nullable=False),
        sa.Column("contact_phone", sa.String(40), nullable=True),
        sa.Column("posted_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("recipients", ARRAY(UUID(as_uuid=True)), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("closed_at", TS, nullable=True),
    )
    op.create_index(
        "ix_offer_requests_open_expires_at",
        "offer_requests",
        ["expires_at"],
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "offer_request_openings",
        sa.Column(
            "offer_request_id", UUID(as_uuid=True), sa.ForeignKey("offer_requests.id"), primary_key=True
        ),
        sa.Column("partner_organisation_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("opened_by_user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "offer_request_openings",
        "offer_requests",
        "directory_listings",
        "cashback_entries",
        "paid_invoices",
        "affiliates",
        "partners",
        "memberships",
    ):
        op.drop_table(table)
    op.drop_index("ix_relationships_access_ends_at", "relationships")
    op.drop_index("ux_relationships_current_pair", "relationships")
    op.execute("DELETE FROM billing_mode_changes WHERE relationship_id IN "
               "(SELECT id FROM relationships WHERE status <> 'active')")
    op.execute("DELETE FROM relationships WHERE status <> 'active'")
    op.create_unique_constraint(
        "relationships_pair_key",
        "relationships",
        ["partner_organisation_id", "client_organisation_id"],
    )
    op.alter_column("relationships", "started_at", nullable=False)
    for column in (
        "staff_user_ids", "ended_by_user_id", "end_reason", "ended_at", "proposal_expires_at", "proposed_at",
        "proposed_by_user_id", "proposed_by", "ending_warned_for", "access_ends_at", "product_codes", "status",
    ):
        op.drop_column("relationships", column)
    op.drop_column("organisations", "registry_number")
