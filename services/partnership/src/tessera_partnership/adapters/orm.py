"""Partnership's tables."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, String, Text, Uuid
from sqlalchemy.dialects.postgresql import ARRAY
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
    registry_number: Mapped[str | None] = mapped_column(String(64), nullable=True)


class MembershipRow(Base):
    """Projection of identity's memberships: who works for which organisation, in which role."""

    __tablename__ = "memberships"

    organisation_id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(30))


class RelationshipRow(Base):
    """A partner managing a client, from the proposal to its end.

    At most one relationship per partner and client is proposed or active at a time (a partial unique
    index, migration 0002); ended ones stay for the record."""

    __tablename__ = "relationships"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    partner_organisation_id: Mapped[UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    client_organisation_id: Mapped[UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    access: Mapped[str] = mapped_column(String(20))
    product_codes: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    access_ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ending_warned_for: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    billing_mode: Mapped[str] = mapped_column(String(20))
    proposed_by: Mapped[str | None] = mapped_column(String(10), nullable=True)
    proposed_by_user_id: Mapped[UUID | None] = mapped_column(nullable=True)
    proposed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    proposal_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(30), nullable=True)
    ended_by_user_id: Mapped[UUID | None] = mapped_column(nullable=True)
    staff_user_ids: Mapped[list[UUID]] = mapped_column(ARRAY(Uuid))


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


class PartnerRow(Base):
    """An organisation in the partner programme."""

    __tablename__ = "partners"

    organisation_id: Mapped[UUID] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    website_url: Mapped[str] = mapped_column(String(300))
    registry_number: Mapped[str] = mapped_column(String(64))
    commitment_minor: Mapped[int] = mapped_column(BigInteger)
    commitment_currency: Mapped[str] = mapped_column(String(3))
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    tier: Mapped[str | None] = mapped_column(String(30), nullable=True)


class AffiliateRow(Base):
    """An organisation in the affiliate programme (recommends products for commission)."""

    __tablename__ = "affiliates"

    organisation_id: Mapped[UUID] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PaidInvoiceRow(Base):
    """An invoice of a managed client that was paid (billing's InvoicePaid): the managed volume."""

    __tablename__ = "paid_invoices"

    invoice_id: Mapped[UUID] = mapped_column(primary_key=True)
    partner_organisation_id: Mapped[UUID] = mapped_column(index=True)
    client_organisation_id: Mapped[UUID]
    total_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    paid_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ManagedInvoiceRow(Base):
    """An invoice billing issued under a partner's relationship (InvoiceIssued), to the client or to the
    partner, with when it was paid (InvoicePaid) or voided (InvoiceVoided): the managed volume."""

    __tablename__ = "managed_invoices"

    invoice_id: Mapped[UUID] = mapped_column(primary_key=True)
    partner_organisation_id: Mapped[UUID]
    client_organisation_id: Mapped[UUID]
    payer_organisation_id: Mapped[UUID]
    relationship_id: Mapped[UUID | None] = mapped_column(nullable=True)
    subtotal_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CashbackRow(Base):
    """Cashback a partner earned (billing's CashbackEarned)."""

    __tablename__ = "cashback_entries"

    entry_id: Mapped[UUID] = mapped_column(primary_key=True)
    partner_organisation_id: Mapped[UUID] = mapped_column(index=True)
    client_organisation_id: Mapped[UUID]
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    earned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ListingRow(Base):
    """A partner's entry in the public directory."""

    __tablename__ = "directory_listings"

    organisation_id: Mapped[UUID] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    website_url: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2), index=True)
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(5)))
    specialties: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    description: Mapped[str] = mapped_column(Text)
    accepts_offer_requests: Mapped[bool] = mapped_column(Boolean)
    listed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OfferRequestRow(Base):
    """A client's offer request."""

    __tablename__ = "offer_requests"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    client_organisation_id: Mapped[UUID] = mapped_column(index=True)
    posted_by_user_id: Mapped[UUID]
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    country: Mapped[str] = mapped_column(String(2))
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(5)))
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(320))
    contact_phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recipients: Mapped[list[UUID]] = mapped_column(ARRAY(Uuid))
    status: Mapped[str] = mapped_column(String(20))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class OfferRequestOpeningRow(Base):
    """A partner opened an offer request (and saw the client's contact details)."""

    __tablename__ = "offer_request_openings"

    offer_request_id: Mapped[UUID] = mapped_column(ForeignKey("offer_requests.id"), primary_key=True)
    partner_organisation_id: Mapped[UUID] = mapped_column(primary_key=True)
    opened_by_user_id: Mapped[UUID]
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
