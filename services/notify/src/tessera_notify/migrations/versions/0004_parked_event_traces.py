"""The trace each parked event arrived in, continued when it is applied.

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
    """W3C trace context columns (empty for events parked before)."""
    op.add_column("parked_events", sa.Column("traceparent", sa.Text, nullable=True))
    op.add_column("parked_events", sa.Column("tracestate", sa.Text, nullable=True))


def downgrade() -> None:
    """Drop them."""
    op.drop_column("parked_events", "tracestate")
    op.drop_column("parked_events", "traceparent")
