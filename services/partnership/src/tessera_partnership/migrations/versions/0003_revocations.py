"""What identity revoked since a token was issued: API tokens, sessions and membership changes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from tessera_kit.revocations import create_revocation_tables, drop_revocation_tables

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the kit's revocation projection."""
    create_revocation_tables()


def downgrade() -> None:
    """Drop it."""
    drop_revocation_tables()
