"""Partner staff lists, billing modes and partners' standing (from partnership), and which partner
asked for a top-up (for the per-day cap on charging a client's card).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the columns and the partner standing projection."""
    op.add_column(
        "partner_access",
        sa.Column("staff_user_ids", postgresql.ARRAY(sa.Uuid()), nullable=False, server_default="{}"),
    )
    op.add_column(
        "partner_access",
        sa.Column("billing_mode", sa.String(20), nullable=False, server_default="client_pays"),
    )
    op.create_table(
        "partner_standings",
        sa.Column("partner_organisation_id", sa.Uuid(), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.add_column("charges", sa.Column("on_behalf_of_partner_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    """Drop them."""
    op.drop_column("charges", "on_behalf_of_partner_id")
    op.drop_table("partner_standings")
    op.drop_column("partner_access", "billing_mode")
    op.drop_column("partner_access", "staff_user_ids")
