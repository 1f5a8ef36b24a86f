"""identity's tables. The kit's outbox, inbox and trusted keys live beside them, created by 0001."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
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
from sqlalchemy.dialects.postgresql import JSONB
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
    vat_number: Mapped[str | None] = mapped_column(Text)
    vat_terms_accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    vat_terms_accepted_by: Mapped[UUID | None]
    registry_number: Mapped[str | None] = mapped_column(Text)
    addresses: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)


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
    totp_secret: Mapped[str | None] = mapped_column(Text)
    totp_pending_secret: Mapped[str | None] = mapped_column(Text)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    second_factor_failures: Mapped[int] = mapped_column(default=0)
    second_factor_locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


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


class BackupCodeRow(Base):
    """A single-use backup code, by its hash."""

    __tablename__ = "backup_codes"

    code_hash: Mapped[str] = mapped_column(Text, primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RecoveryRequestRow(Base):
    """A request to reset 2FA after losing the authenticator."""

    __tablename__ = "two_factor_recovery_requests"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    message: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[UUID | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)


class AppPasswordRow(Base):
    """An app password, by its hash."""

    __tablename__ = "app_passwords"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    secret_hash: Mapped[str] = mapped_column(Text, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiTokenRow(Base):
    """An API token, by its hash."""

    __tablename__ = "api_tokens"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    organisation_id: Mapped[UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    owner_user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    application: Mapped[str] = mapped_column(Text)
    permissions: Mapped[list[str]] = mapped_column(JSONB)
    secret_hash: Mapped[str] = mapped_column(Text, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deactivation_warned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deactivation_reason: Mapped[str | None] = mapped_column(String(16))
