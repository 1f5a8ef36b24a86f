"""Revocations (the kit's projection, written by identity itself) and failed sign-in counters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tessera_kit.revocations import create_revocation_tables, drop_revocation_tables

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_revocation_tables()
    op.create_table(
        "sign_in_attempts",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
    )
    op.create_index("sign_in_attempts_window", "sign_in_attempts", ["window_started_at"])


def downgrade() -> None:
    op.drop_table("sign_in_attempts")
    drop_revocation_tables()
