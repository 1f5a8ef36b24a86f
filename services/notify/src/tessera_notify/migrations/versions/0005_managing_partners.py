"""Partner–client relationships as partnership described them: who receives a client's wallet receipts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """One row per relationship, ended_at set when partnership said it ended."""
    op.create_table(
        "relationships",
        sa.Column("relationship_id", sa.Uuid, primary_key=True),
        sa.Column("partner_organisation_id", sa.Uuid, nullable=False),
        sa.Column("client_organisation_id", sa.Uuid, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("relationships_by_client", "relationships", ["client_organisation_id"])


def downgrade() -> None:
    """Drop the table."""
    op.drop_index("relationships_by_client", table_name="relationships")
    op.drop_table("relationships")
