"""notify's tables: the recipients projection (from identity), preferences, invoice numbers (from
billing) and the delivery log."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Index,
    Integer,
    MetaData,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base with notify's own metadata."""

    metadata = MetaData()


class OrganisationRow(Base):
    """An organisation as identity last described it."""

    __tablename__ = "organisations"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    country: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(Text)
    billing_email: Mapped[str] = mapped_column(Text)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UserRow(Base):
    """A person as identity last described them."""

    __tablename__ = "users"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(Text)
    display_name: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(Text)


class MembershipRow(Base):
    """A person's role in an organisation.

    No foreign keys to organisations or users: they arrive on other topics, in no guaranteed order.
    """

    __tablename__ = "memberships"

    organisation_id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(Text)


class DeliveryRow(Base):
    """One e-mail, rendered once when its cause was applied, and every attempt to send it."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("cause_event_id", "recipient", "notification", name="deliveries_once_per_recipient"),
        CheckConstraint(
            "status IN ('pending', 'delivered', 'failed', 'suppressed')", name="deliveries_status"
        ),
        Index("deliveries_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
        Index("deliveries_by_organisation", "organisation_id", "created_at"),
        Index("deliveries_by_recipient_user", "recipient_user_id", "created_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    cause_event_id: Mapped[UUID]
    notification: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(Text)
    organisation_id: Mapped[UUID | None]
    recipient_user_id: Mapped[UUID | None]
    recipient: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    traceparent: Mapped[str | None] = mapped_column(Text)
    tracestate: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OrganisationPreferenceRow(Base):
    """An organisation's choice for one category of notifications (absent: on)."""

    __tablename__ = "organisation_preferences"

    organisation_id: Mapped[UUID] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(Text, primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by_user_id: Mapped[UUID]


class UserPreferenceRow(Base):
    """A person's own choice for one category of notifications (absent: on)."""

    __tablename__ = "user_preferences"

    user_id: Mapped[UUID] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(Text, primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class InvoiceRow(Base):
    """An invoice's number, as billing issued it: payment e-mails name the invoice by it."""

    __tablename__ = "invoices"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(Text)
    payer_organisation_id: Mapped[UUID]


class ParkedEventRow(Base):
    """An event that names an organisation or person notify does not know yet, kept (as its
    CloudEvents JSON) until identity's event about them arrives; then it is applied."""

    __tablename__ = "parked_events"
    __table_args__ = (Index("parked_events_waiting", "waiting_for", "waiting_for_id"),)

    event_id: Mapped[UUID] = mapped_column(primary_key=True)
    event_type: Mapped[str] = mapped_column(Text)
    envelope: Mapped[str] = mapped_column(Text)
    waiting_for: Mapped[str] = mapped_column(Text)
    waiting_for_id: Mapped[UUID]
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    parked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The trace of the consumer that parked it (W3C): the event is applied in it when it resumes.
    traceparent: Mapped[str | None] = mapped_column(Text)
    tracestate: Mapped[str | None] = mapped_column(Text)
