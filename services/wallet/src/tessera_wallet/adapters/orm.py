"""wallet's tables: wallets, the ledger, card charges, refused usage, and projections of others' events."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """wallet's declarative base, with its own metadata."""


class WalletRow(Base):
    """One organisation's wallet in one currency, its cached balance and its auto-recharge settings.

    The balance columns cache the sum of the wallet's ledger entries; ``ledger_check`` compares them.
    """

    __tablename__ = "wallets"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    organisation_id: Mapped[UUID]
    currency: Mapped[str] = mapped_column(String(3))
    paid_minor: Mapped[int] = mapped_column(BigInteger)
    complimentary_minor: Mapped[int] = mapped_column(BigInteger)
    receipts_to_client: Mapped[bool] = mapped_column(Boolean)
    threshold_minor: Mapped[int | None] = mapped_column(BigInteger)
    recharge_amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    monthly_cap_minor: Mapped[int | None] = mapped_column(BigInteger)
    auto_recharge_enabled: Mapped[bool] = mapped_column(Boolean)
    auto_recharge_paused: Mapped[bool] = mapped_column(Boolean)
    recharge_failures_in_a_row: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TransactionRow(Base):
    """One ledger transaction: what moved, why, and the balance after it."""

    __tablename__ = "ledger_transactions"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    wallet_id: Mapped[UUID] = mapped_column(ForeignKey("wallets.id"))
    kind: Mapped[str] = mapped_column(String(20))
    reference_id: Mapped[UUID]
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    complimentary_change_minor: Mapped[int] = mapped_column(BigInteger)
    paid_change_minor: Mapped[int] = mapped_column(BigInteger)
    paid_after_minor: Mapped[int] = mapped_column(BigInteger)
    complimentary_after_minor: Mapped[int] = mapped_column(BigInteger)
    usage_kind: Mapped[str | None] = mapped_column(String(20))
    usage_quantity: Mapped[int | None] = mapped_column(Integer)
    actor_user_id: Mapped[UUID | None]
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EntryRow(Base):
    """One posting of a transaction on one account (append-only; a trigger refuses changes)."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    transaction_id: Mapped[UUID] = mapped_column(ForeignKey("ledger_transactions.id"))
    wallet_id: Mapped[UUID] = mapped_column(ForeignKey("wallets.id"))
    account: Mapped[str] = mapped_column(String(20))
    amount_minor: Mapped[int] = mapped_column(BigInteger)


class ChargeRow(Base):
    """A card charge: a top-up or an automatic recharge, and its attempts at Stripe."""

    __tablename__ = "charges"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    wallet_id: Mapped[UUID] = mapped_column(ForeignKey("wallets.id"))
    kind: Mapped[str] = mapped_column(String(20))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255))
    payment_method_id: Mapped[str | None] = mapped_column(String(255))
    payment_intent_id: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str | None] = mapped_column(Text)
    requested_by_user_id: Mapped[UUID | None]
    on_behalf_of_partner_id: Mapped[UUID | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The trace of what caused the charge (W3C), continued by the charging job.
    traceparent: Mapped[str | None] = mapped_column(Text)
    tracestate: Mapped[str | None] = mapped_column(Text)


class RefusalRow(Base):
    """A usage the wallet refused: its one outcome, so a repeat of the same usage id changes nothing."""

    __tablename__ = "usage_refusals"

    usage_id: Mapped[UUID] = mapped_column(primary_key=True)
    organisation_id: Mapped[UUID]
    wallet_id: Mapped[UUID | None]
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(40))
    available_minor: Mapped[int | None] = mapped_column(BigInteger)
    refused_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OrganisationRow(Base):
    """Projection of identity's organisations."""

    __tablename__ = "organisations"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class PartnerAccessRow(Base):
    """Projection of partnership's relationships: which partner may manage which client, and how far."""

    __tablename__ = "partner_access"

    relationship_id: Mapped[UUID] = mapped_column(primary_key=True)
    partner_organisation_id: Mapped[UUID]
    client_organisation_id: Mapped[UUID]
    access: Mapped[str] = mapped_column(String(20))
    product_codes: Mapped[list[str]] = mapped_column(ARRAY(String(100)))
    access_ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended: Mapped[bool] = mapped_column(Boolean)
    staff_user_ids: Mapped[list[UUID]] = mapped_column(ARRAY(Uuid), default=list)
    billing_mode: Mapped[str] = mapped_column(String(20), default="client_pays")


class PartnerStandingRow(Base):
    """A partner's status in the programme (from partnership): only an active partner acts for clients."""

    __tablename__ = "partner_standings"

    partner_organisation_id: Mapped[UUID] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PaymentMethodRow(Base):
    """Projection of billing's primary card per organisation (Stripe ids only, never card data)."""

    __tablename__ = "payment_methods"

    organisation_id: Mapped[UUID] = mapped_column(primary_key=True)
    stripe_customer_id: Mapped[str] = mapped_column(String(255))
    payment_method_id: Mapped[str | None] = mapped_column(String(255))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
