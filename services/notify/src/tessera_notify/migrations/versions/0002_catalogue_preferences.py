"""The whole notification catalogue: categories and suppressed deliveries, e-mails to a person
(not about an organisation), notification preferences, invoice numbers for payment e-mails, and
events parked until identity tells notify of their recipients.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Before this revision notify sent one notification only, of the partnership category.
    op.add_column("deliveries", sa.Column("category", sa.Text, nullable=False, server_default="partnership"))
    op.alter_column("deliveries", "category", server_default=None)
    op.add_column("deliveries", sa.Column("recipient_user_id", UUID(as_uuid=True)))
    op.alter_column("deliveries", "organisation_id", nullable=True)
    op.drop_constraint("deliveries_status", "deliveries", type_="check")
    op.create_check_constraint(
        "deliveries_status", "deliveries", "status IN ('pending', 'delivered', 'failed', 'suppressed')"
    )
    op.create_index("deliveries_by_recipient_user", "deliveries", ["recipient_user_id", "created_at"])
    op.create_table(
        "organisation_preferences",
        sa.Column("organisation_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("category", sa.Text, primary_key=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_user_id", UUID(as_uuid=True), nullable=False),
    )
    op.create_table(
        "user_preferences",
        sa.Column("user_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("category", sa.Text, primary_key=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "invoices",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("number", sa.Text, nullable=False),
        sa.Column("payer_organisation_id", UUID(as_uuid=True), nullable=False),
    )


    op.create_table(
        "parked_events",
        sa.Column("event_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("envelope", sa.Text, nullable=False),
        sa.Column("waiting_for", sa.Text, nullable=False),
        sa.Column("waiting_for_id", UUID(as_uuid=True), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("parked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("parked_events_waiting", "parked_events", ["waiting_for", "waiting_for_id"])


def downgrade() -> None:
    op.drop_table("parked_events")
    op.drop_table("invoices")
    op.drop_table("user_preferences")
    op.drop_table("organisation_preferences")
    op.drop_index("deliveries_by_recipient_user", "deliveries")
    op.execute("DELETE FROM deliveries WHERE status = 'suppressed' OR organisation_id IS NULL")
    op.drop_constraint("deliveries_status", "deliveries", type_="check")
    op.create_check_constraint("deliveries_status", "deliveries", "status IN ('pending', 'delivered', 'failed')")
    op.alter_column("deliveries", "organisation_id", nullable=False)
    op.drop_column("deliveries", "recipient_user_id")
    op.drop_column("deliveries", "category")
