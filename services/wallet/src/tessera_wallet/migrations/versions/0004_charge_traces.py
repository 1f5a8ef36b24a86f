"""The trace of what caused each card charge (a usage event, a top-up request), continued by the job.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """W3C trace context columns (empty for charges written before)."""
    op.add_column("charges", sa.Column("traceparent", sa.Text, nullable=True))
    op.add_column("charges", sa.Column("tracestate", sa.Text, nullable=True))


def downgrade() -> None:
    """Drop them."""
    op.drop_column("charges", "tracestate")
    op.drop_column("charges", "traceparent")
