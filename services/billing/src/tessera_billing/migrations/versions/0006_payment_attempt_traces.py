"""The trace of what asked for each payment attempt, continued by the payment job.

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
    """W3C trace context columns (empty for attempts written before)."""
    op.add_column("payment_attempts", sa.Column("traceparent", sa.Text, nullable=True))
    op.add_column("payment_attempts", sa.Column("tracestate", sa.Text, nullable=True))


def downgrade() -> None:
    """Drop them."""
    op.drop_column("payment_attempts", "tracestate")
    op.drop_column("payment_attempts", "traceparent")
