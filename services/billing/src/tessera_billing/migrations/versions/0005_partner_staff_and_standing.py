"""Partner staff lists on relationships, and partners' standing in the programme (from partnership).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the staff list to the relationship projection and project partners' status."""
    op.add_column(
        "partner_relationships",
        sa.Column("staff_user_ids", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    )
    op.create_table(
        "partner_standings",
        sa.Column("partner_organisation_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("partner_standings")
    op.drop_column("partner_relationships", "staff_user_ids")
