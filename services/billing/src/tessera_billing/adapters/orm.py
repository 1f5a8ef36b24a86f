"""Billing's tables. Money is integer minor units plus a currency column; instants are UTC."""

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Integer, MetaData, Text, Uuid
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

CURRENCIES = "('CHF', 'EUR')"
PERIODS = "('monthly', 'yearly')"
BILLING_MODES = "('client_pays', 'partner_pays')"
ACCESSES = "('full', 'restricted')"
KINDS = "('hosting', 'domain', 'saas', 'resale', 'marketplace_app')"


class Base(DeclarativeBase):
    """Billing's declarative base, with its own metadata and constraint names."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class ProductRow(Base):
    """A product of the catalogue."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint(f"period IN {PERIODS}", name="period"),
        CheckConstraint(f"kind IN {KINDS}", name="kind"),
    )

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    period: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    prices: Mapped[list["ProductPriceRow"]] = relationship(lazy="raise", order_by="ProductPriceRow.currency")
    tiers: Mapped[list["ProductTierRow"]] = relationship(lazy="raise", order_by="ProductTierRow.min_quantity")


class ProductTierRow(Base):
    """A decreasing price: from ``min_quantity`` products of this code, ``discount_bp`` off the list price."""

    __tablename__ = "product_price_tiers"

    product_code: Mapped[str] = mapped_column(ForeignKey("products.code"), primary_key=True)
    min_quantity: Mapped[int] = mapped_column(Integer, primary_key=True)
    discount_bp: Mapped[int] = mapped_column(Integer)


class ProductPriceRow(Base):
    """A product's public price per period in one currency."""

    __tablename__ = "product_prices"
    __table_args__ = (
        CheckConstraint(f"currency IN {CURRENCIES}", name="currency"),
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
    )

    product_code: Mapped[str] = mapped_column(ForeignKey("products.code"), primary_key=True)
    currency: Mapped[str] = mapped_column(Text, primary_key=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)


class PartnerRelationshipRow(Base):
    """billing's projection of a partner-client relationship (from partnership's events)."""

    __tablename__ = "partner_relationships"
    __table_args__ = (CheckConstraint(f"access IN {ACCESSES}", name="access"),)

    relationship_id: Mapped[UUID] = mapped_column(primary_key=True)
    partner_organisation_id: Mapped[UUID]
    client_organisation_id: Mapped[UUID] = mapped_column(index=True)
    access: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    access_ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    product_codes: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    staff_user_ids: Mapped[list[UUID]] = mapped_column(ARRAY(Uuid), default=list)
    modes: Mapped[list["BillingModeRow"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="BillingModeRow.effective_from"
    )


class BillingModeRow(Base):
    """A relationship's billing mode from an instant on."""

    __tablename__ = "relationship_billing_modes"
    __table_args__ = (CheckConstraint(f"billing_mode IN {BILLING_MODES}", name="billing_mode"),)

    relationship_id: Mapped[UUID] = mapped_column(
        ForeignKey("partner_relationships.relationship_id", ondelete="CASCADE"), primary_key=True
    )
    effective_from: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    billing_mode: Mapped[str] = mapped_column(Text)


class SubscriptionRow(Base):
    """A product ordered for an organisation (always the owner; the payer is in payer_assignments)."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint(f"price_currency IN {CURRENCIES}", name="price_currency"),
        CheckConstraint(f"period IN {PERIODS}", name="period"),
        CheckConstraint("renewed_periods >= 0", name="renewed_periods_not_negative"),
    )

    subscription_id: Mapped[UUID] = mapped_column(primary_key=True)
    owner_organisation_id: Mapped[UUID] = mapped_column(index=True)
    relationship_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("partner_relationships.relationship_id"), index=True
    )
    product_code: Mapped[str] = mapped_column(ForeignKey("products.code"))
    product_name: Mapped[str] = mapped_column(Text)
    price_amount_minor: Mapped[int] = mapped_column(BigInteger)
    price_currency: Mapped[str] = mapped_column(Text)
    period: Mapped[str] = mapped_column(Text)
    ordered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ordered_by_user_id: Mapped[UUID]
    ordered_by_organisation_id: Mapped[UUID]
    product_kind: Mapped[str] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    renewed_periods: Mapped[int] = mapped_column(Integer)
    # Derived from ordered_at, period and renewed_periods; stored so due renewals can be found by index.
    next_renewal_on: Mapped[date] = mapped_column(Date, index=True)
    payer_assignments: Mapped[list["PayerAssignmentRow"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="PayerAssignmentRow.effective_from"
    )


class PayerAssignmentRow(Base):
    """The organisation paying a subscription's renewals due from an instant on."""

    __tablename__ = "payer_assignments"

    subscription_id: Mapped[UUID] = mapped_column(
        ForeignKey("subscriptions.subscription_id", ondelete="CASCADE"), primary_key=True
    )
    effective_from: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    payer_organisation_id: Mapped[UUID] = mapped_column(index=True)


class OrganisationRow(Base):
    """billing's projection of an organisation (from identity's events): what tax depends on."""

    __tablename__ = "organisations"

    organisation_id: Mapped[UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    country: Mapped[str] = mapped_column(Text)
    vat_number: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PartnerStandingRow(Base):
    """A partner's status in the programme (from partnership): only an active partner acts for clients."""

    __tablename__ = "partner_standings"

    partner_organisation_id: Mapped[UUID] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PartnerTermsRow(Base):
    """A partner's reseller discount and cashback rate from an instant on (from partnership's tiers)."""

    __tablename__ = "partner_terms"

    partner_organisation_id: Mapped[UUID] = mapped_column(primary_key=True)
    effective_from: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    tier: Mapped[str] = mapped_column(Text)
    reseller_discount_bp: Mapped[int] = mapped_column(Integer)
    cashback_bp: Mapped[int] = mapped_column(Integer)
