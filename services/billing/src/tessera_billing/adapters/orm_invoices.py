"""Billing core's tables beyond the catalogue: invoices and their lines, renewals, cashback, history, tags.

They share :class:`~tessera_billing.adapters.orm.Base`'s metadata (and naming convention) with every
other billing table. Money is integer minor units plus a currency column; instants are UTC.
"""

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tessera_billing.adapters.orm import Base


class InvoiceRow(Base):
    """An invoice to the paying organisation; numbered (gapless per series) when issued."""

    __tablename__ = "invoices"

    invoice_id: Mapped[UUID] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(Text)
    number: Mapped[str | None] = mapped_column(Text, unique=True)
    status: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    payer_organisation_id: Mapped[UUID]
    owner_organisation_id: Mapped[UUID]
    relationship_id: Mapped[UUID | None]
    partner_organisation_id: Mapped[UUID | None]
    ordered_by_user_id: Mapped[UUID]
    ordered_by_organisation_id: Mapped[UUID]
    currency: Mapped[str] = mapped_column(Text)
    subtotal_minor: Mapped[int] = mapped_column(BigInteger)
    tax_minor: Mapped[int] = mapped_column(BigInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    tax_treatment: Mapped[str] = mapped_column(Text)
    tax_rate_bp: Mapped[int] = mapped_column(Integer)
    tax_reason: Mapped[str] = mapped_column(Text)
    payer_name: Mapped[str] = mapped_column(Text)
    payer_country: Mapped[str | None] = mapped_column(Text)
    payer_vat_number: Mapped[str | None] = mapped_column(Text)
    cashback_partner_organisation_id: Mapped[UUID | None]
    cashback_rate_bp: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_on: Mapped[date | None] = mapped_column(Date)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    close_reason: Mapped[str | None] = mapped_column(Text)
    lines: Mapped[list["InvoiceLineRow"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="InvoiceLineRow.position"
    )


class InvoiceLineRow(Base):
    """One line of an invoice: a product for a period, its list price, discount and amount."""

    __tablename__ = "invoice_lines"

    invoice_id: Mapped[UUID] = mapped_column(
        ForeignKey("invoices.invoice_id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[UUID | None]
    product_code: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    list_price_minor: Mapped[int] = mapped_column(BigInteger)
    discount_minor: Mapped[int] = mapped_column(BigInteger)
    discount_reason: Mapped[str | None] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(BigInteger)


class RenewalRow(Base):
    """A renewal done: its key (subscription, number) is what makes renewing idempotent."""

    __tablename__ = "renewals"

    subscription_id: Mapped[UUID] = mapped_column(
        ForeignKey("subscriptions.subscription_id"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    due_on: Mapped[date] = mapped_column(Date)
    payer_organisation_id: Mapped[UUID]
    invoice_id: Mapped[UUID] = mapped_column(ForeignKey("invoices.invoice_id"))
    renewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CashbackEntryRow(Base):
    """Cashback a partner earned on one paid invoice (unique per invoice: never twice)."""

    __tablename__ = "cashback_entries"

    entry_id: Mapped[UUID] = mapped_column(primary_key=True)
    partner_organisation_id: Mapped[UUID]
    client_organisation_id: Mapped[UUID]
    relationship_id: Mapped[UUID]
    invoice_id: Mapped[UUID] = mapped_column(ForeignKey("invoices.invoice_id"), unique=True)
    invoice_number: Mapped[str] = mapped_column(Text)
    rate_bp: Mapped[int] = mapped_column(Integer)
    base_minor: Mapped[int] = mapped_column(BigInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(Text)
    earned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HistoryEntryRow(Base):
    """A charge, refund or credit in an organisation's billing history."""

    __tablename__ = "billing_history"

    entry_id: Mapped[UUID] = mapped_column(primary_key=True)
    organisation_id: Mapped[UUID]
    kind: Mapped[str] = mapped_column(Text)
    invoice_id: Mapped[UUID | None]
    description: Mapped[str] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TagRow(Base):
    """A coloured label an organisation puts on its products."""

    __tablename__ = "tags"

    tag_id: Mapped[UUID] = mapped_column(primary_key=True)
    organisation_id: Mapped[UUID]
    name: Mapped[str] = mapped_column(Text)
    colour: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SubscriptionTagRow(Base):
    """A tag put on a product (a subscription); deleting either removes the pairing."""

    __tablename__ = "subscription_tags"

    subscription_id: Mapped[UUID] = mapped_column(
        ForeignKey("subscriptions.subscription_id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[UUID] = mapped_column(ForeignKey("tags.tag_id", ondelete="CASCADE"), primary_key=True)
