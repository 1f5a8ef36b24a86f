"""The managed volume from billing's invoices: every invoice issued under a partner's relationship,
whoever pays it, with when it was paid or voided.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the projection of billing's managed invoices."""
    op.create_table(
        "managed_invoices",
        sa.Column("invoice_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("partner_organisation_id", UUID(as_uuid=True), nullable=False),
        sa.Column("client_organisation_id", UUID(as_uuid=True), nullable=False),
        sa.Column("payer_organisation_id", UUID(as_uuid=True), nullable=False),
        sa.Column("relationship_id", UUID(as_uuid=True), nullable=True),
        sa.Column("subtotal_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("paid_at", TS, nullable=True),
        sa.Column("voided_at", TS, nullable=True),
    )
    # The standing sums one partner's invoices of the last 12 months.
    op.create_index(
        "ix_managed_invoices_partner_issued_at", "managed_invoices", ["partner_organisation_id", "issued_at"]
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_table("managed_invoices")
