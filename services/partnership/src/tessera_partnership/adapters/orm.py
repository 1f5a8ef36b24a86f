"""Partnership's tables."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Partnership's own metadata."""


class OrganisationRow(Base):
    """Projection of identity's organisations."""

    __tablename__ = "organisations"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))


class RelationshipRow(Base):
    """A partner managing a client."""

    __tablename__ = "relationships"
    __table_args__ = (UniqueConstraint("partner_organisation_id", "client_organisation_id"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    partner_organisation_id: Mapped[UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    client_organisation_id: Mapped[UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    access: Mapped[str] = mapped_column(String(20))
    billing_mode: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BillingModeChangeRow(Base):
    """The history of who pays, one row per client decision."""

    __tablename__ = "billing_mode_changes"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    relationship_id: Mapped[UUID] = mapped_column(ForeignKey("relationships.id"), index=True)
    previous_mode: Mapped[str] = mapped_column(String(20))
    billing_mode: Mapped[str] = mapped_column(String(20))
    effective_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_by_user_id: Mapped[UUID]
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
