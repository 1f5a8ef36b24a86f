"""identity's tables. The kit's outbox, inbox and trusted keys live beside them, created by 0001."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

KINDS = "('company', 'individual')"
LOCALES = "('en', 'de', 'fr', 'it', 'es')"
ROLES = "('legal_representative', 'administrator', 'member')"


class Base(DeclarativeBase):
    """identity's declarative base, with its own metadata."""

    metadata = MetaData()


class OrganisationRow(Base):
    """An organisation."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(f"kind IN {KINDS}", name="organisations_kind"),
        CheckConstraint(f"locale IN {LOCALES}", name="organisations_locale"),
        CheckConstraint("country ~ '^[A-Z]{2}$'", name="organisations_country"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    country: Mapped[str] = mapped_column(String(2))
    locale: Mapped[str] = mapped_column(String(2))
    billing_email: Mapped[str] = mapped_column(Text)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UserRow(Base):
    """A person who signs in."""

    __tablename__ = "users"
    __table_args__ = (
        Index("users_email_lower_key", func.lower(text("email")), unique=True),
        CheckConstraint(f"locale IN {LOCALES}", name="users_locale"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(Text)
    display_name: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(2))
    password_hash: Mapped[str] = mapped_column(Text)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MembershipRow(Base):
    """A person's role in an organisation."""

    __tablename__ = "memberships"
    __table_args__ = (CheckConstraint(f"role IN {ROLES}", name="memberships_role"),)

    organisation_id: Mapped[UUID] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SigningKeyRow(Base):
    """A key pair that signs access tokens; the private half never leaves this table."""

    __tablename__ = "signing_keys"
    __table_args__ = (
        # At most one key signs at a time, even if two replicas generate one at once.
        Index("signing_keys_one_active", "active", unique=True, postgresql_where=text("active")),
    )

    key_id: Mapped[str] = mapped_column(Text, primary_key=True)
    algorithm: Mapped[str] = mapped_column(Text)
    public_key_pem: Mapped[str] = mapped_column(Text)
    private_key_pem: Mapped[str] = mapped_column(Text)
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean)
