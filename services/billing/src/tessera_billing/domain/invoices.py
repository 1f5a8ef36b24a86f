"""Invoices: lines, tax and totals, gapless numbers per series, and their states.

An invoice goes draft -> issued -> paid, or issued -> void / uncollectible. It is numbered when it is
issued (never as a draft), so the numbers of a series have no gaps. It belongs to the paying
organisation only: the owner of the products sees it only when it pays for them itself.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from tessera_billing.domain.errors import InvoiceStateConflict
from tessera_billing.domain.money import Currency, Money
from tessera_billing.domain.tax import TaxAssessment, TaxProfile

PAYMENT_TERM = timedelta(days=30)
SERIES_PREFIX = {Currency.CHF: "CH", Currency.EUR: "EU"}


class InvoiceStatus(StrEnum):
    """Where an invoice stands."""

    DRAFT = "draft"
    ISSUED = "issued"
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


class InvoiceKind(StrEnum):
    """What the invoice charges for."""

    ORDER = "order"
    RENEWAL = "renewal"


def series_for(currency: Currency, issued_at: datetime) -> str:
    """The numbering series of an invoice: one per currency and year, e.g. ``CH-2026``."""
    return f"{SERIES_PREFIX[currency]}-{issued_at.year}"


def invoice_number(series: str, sequence: int) -> str:
    """The ``sequence``-th number of a series, e.g. ``CH-2026-000042``."""
    return f"{series}-{sequence:06d}"


@dataclass(frozen=True)
class InvoiceLine:
    """One product for one period: its list price, the discount, and the amount charged."""

    subscription_id: UUID | None
    product_code: str
    description: str
    period_start: date
    period_end: date
    list_price: Money
    discount: Money
    discount_reason: str | None

    @property
    def amount(self) -> Money:
        """What the line charges, before tax."""
        return self.list_price - self.discount


@dataclass(frozen=True)
class Parties:
    """Who an invoice concerns: the payer, the owner of the products, the managing partner, the orderer."""

    payer_organisation_id: UUID
    owner_organisation_id: UUID
    relationship_id: UUID | None
    partner_organisation_id: UUID | None
    ordered_by_user_id: UUID
    ordered_by_organisation_id: UUID


@dataclass(frozen=True)
class Invoice:
    """An invoice; every change returns a new value (the repository stores it)."""

    invoice_id: UUID
    kind: InvoiceKind
    parties: Parties
    currency: Currency
    lines: tuple[InvoiceLine, ...]
    payer: TaxProfile
    tax: TaxAssessment
    created_at: datetime
    cashback_partner_organisation_id: UUID | None = None
    cashback_rate_bp: int = 0
    status: InvoiceStatus = InvoiceStatus.DRAFT
    series: str = ""
    number: str | None = None
    issued_at: datetime | None = None
    due_on: date | None = None
    paid_at: datetime | None = None
    closed_at: datetime | None = None
    close_reason: str | None = None

    def __post_init__(self) -> None:
        if not self.lines:
            raise ValueError("an invoice has at least one line")
        if any(line.list_price.currency != self.currency for line in self.lines):
            raise ValueError("every line of an invoice is in the invoice's currency")

    @property
    def subtotal(self) -> Money:
        """The sum of the lines, before tax."""
        total = Money.zero(self.currency)
        for line in self.lines:
            total = total + line.amount
        return total

    @property
    def tax_amount(self) -> Money:
        """The tax on the subtotal, rounded once."""
        return self.tax.tax_on(self.subtotal)

    @property
    def total(self) -> Money:
        """What the payer owes: subtotal plus tax."""
        return self.subtotal + self.tax_amount

    @property
    def cashback(self) -> Money:
        """The cashback the managing partner earns once the invoice is paid (zero when none)."""
        return self.subtotal.portion(self.cashback_rate_bp)

    def issue(self, *, sequence: int, series: str, at: datetime) -> "Invoice":
        """Number and issue a draft; it is due ``PAYMENT_TERM`` later."""
        self._require(InvoiceStatus.DRAFT, "issue")
        return replace(
            self,
            status=InvoiceStatus.ISSUED,
            series=series,
            number=invoice_number(series, sequence),
            issued_at=at,
            due_on=(at + PAYMENT_TERM).date(),
        )

    def pay(self, at: datetime) -> "Invoice | None":
        """The invoice paid at ``at``; None when it already was (a payment reported twice)."""
        if self.status is InvoiceStatus.PAID:
            return None
        self._require(InvoiceStatus.ISSUED, "pay")
        return replace(self, status=InvoiceStatus.PAID, paid_at=at)

    def close(self, *, uncollectible: bool, reason: str, at: datetime) -> "Invoice | None":
        """Void the invoice, or write it off as uncollectible; None when it already was so closed."""
        target = InvoiceStatus.UNCOLLECTIBLE if uncollectible else InvoiceStatus.VOID
        if self.status is target:
            return None
        self._require(InvoiceStatus.ISSUED, "void" if not uncollectible else "write off")
        return replace(self, status=target, closed_at=at, close_reason=reason)

    def _require(self, status: InvoiceStatus, action: str) -> None:
        if self.status is not status:
            raise InvoiceStateConflict(
                f"cannot {action} invoice {self.number or self.invoice_id}: it is {self.status}"
            )
