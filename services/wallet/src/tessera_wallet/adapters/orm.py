"""wallet's tables: none of its own yet; the kit's outbox, inbox and trusted keys come with 0001."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """wallet's declarative base, with its own metadata (empty until wallet has tables)."""
