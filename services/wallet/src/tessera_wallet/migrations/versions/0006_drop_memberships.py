"""Drop wallet's own projection of memberships: the kit's revocation projection (0003) keeps the same
facts, for every service, and corrects each caller's roles before wallet sees them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Drop the table."""
    op.drop_table("memberships")


def downgrade() -> None:
    """Recreate it empty (identity's events on replay would fill it again)."""
    op.create_table(
        "memberships",
        sa.Column("organisation_id", sa.Uuid(), primary_key=True),
        sa.Column("user_id", sa.Uuid(), primary_key=True),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
    )
