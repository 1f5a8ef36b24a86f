"""Queries on invoices, their numbering, renewals done, and the projections tax and pricing read."""

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tessera_billing.adapters.orm import OrganisationRow, PartnerStandingRow, PartnerTermsRow
from tessera_billing.adapters.orm_invoices import InvoiceLineRow, InvoiceRow, RenewalRow
from tessera_billing.domain.invoices import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, Parties
from tessera_billing.domain.money import Currency, Money
from tessera_billing.domain.pricing import PartnerTerms
from tessera_billing.domain.tax import OrganisationFacts, TaxAssessment, TaxProfile, TaxTreatment
from tessera_kit.db import upsert


class InvoiceRepository:
    """Invoices and the counters that number them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next_sequence(self, series: str) -> int:
        """The next number of ``series``; the counter row stays locked until the transaction ends.

        Two transactions issuing in one series queue on this row, and a rollback gives the number
        back: numbers are handed out in commit order, without gaps.
        """
        number = await self._session.scalar(
            text(
                "INSERT INTO invoice_series (series, last_number) VALUES (:series, 1) "
                "ON CONFLICT (series) DO UPDATE SET last_number = invoice_series.last_number + 1 "
                "RETURNING last_number"
            ),
            {"series": series},
        )
        return int(number)

    async def get(self, invoice_id: UUID, *, for_update: bool = False) -> Invoice | None:
        """One invoice; ``for_update`` holds it until commit (a payment and a void never cross)."""
        query = (
            select(InvoiceRow)
            .options(selectinload(InvoiceRow.lines))
            .where(InvoiceRow.invoice_id == invoice_id)
        )
        row = await self._session.scalar(query.with_for_update() if for_update else query)
        return _invoice(row) if row is not None else None

    async def paid_by(
        self, organisation_id: UUID, *, status: InvoiceStatus | None = None, limit: int = 200
    ) -> list[Invoice]:
        """The invoices an organisation pays, newest first."""
        query = (
            select(InvoiceRow)
            .options(selectinload(InvoiceRow.lines))
            .where(InvoiceRow.payer_organisation_id == organisation_id)
        )
        if status is not None:
            query = query.where(InvoiceRow.status == status.value)
        rows = await self._session.scalars(
            query.order_by(InvoiceRow.issued_at.desc().nulls_last(), InvoiceRow.invoice_id).limit(limit)
        )
        return [_invoice(row) for row in rows]

    async def for_client_paid_by(
        self, owner_organisation_id: UUID, payer_organisation_id: UUID
    ) -> list[Invoice]:
        """What ``payer`` was invoiced for ``owner``'s products (to re-invoice its client), oldest first."""
        rows = await self._session.scalars(
            select(InvoiceRow)
            .options(selectinload(InvoiceRow.lines))
            .where(
                InvoiceRow.owner_organisation_id == owner_organisation_id,
                InvoiceRow.payer_organisation_id == payer_organisation_id,
                InvoiceRow.status != InvoiceStatus.DRAFT.value,
            )
            .order_by(InvoiceRow.issued_at, InvoiceRow.invoice_id)
        )
        return [_invoice(row) for row in rows]

    async def ordered_by_partner_since(
        self, client_organisation_id: UUID, partner_organisation_id: UUID, currency: Currency, since: datetime
    ) -> int:
        """What the partner's orders put on the client's bill since an instant (voided invoices aside)."""
        total = await self._session.scalar(
            select(func.coalesce(func.sum(InvoiceRow.total_minor), 0)).where(
                InvoiceRow.kind == InvoiceKind.ORDER.value,
                InvoiceRow.payer_organisation_id == client_organisation_id,
                InvoiceRow.ordered_by_organisation_id == partner_organisation_id,
                InvoiceRow.currency == currency.value,
                InvoiceRow.status != InvoiceStatus.VOID.value,
                InvoiceRow.created_at >= since,
            )
        )
        return int(total or 0)

    async def save(self, invoice: Invoice) -> None:
        """Store a new invoice or the new state of one."""
        row = await self._session.get(
            InvoiceRow, invoice.invoice_id, options=[selectinload(InvoiceRow.lines)]
        )
        if row is None:
            row = InvoiceRow(invoice_id=invoice.invoice_id, lines=_lines(invoice))
            self._session.add(row)
        _fill(row, invoice)
        await self._session.flush()

    async def record_renewal(
        self, *, subscription_id: UUID, number: int, due_on: date, payer: UUID, invoice_id: UUID, at: datetime
    ) -> bool:
        """Record a renewal done; False when that renewal was already recorded (nothing happens twice)."""
        inserted = await self._session.scalar(
            insert(RenewalRow)
            .values(
                subscription_id=subscription_id,
                number=number,
                due_on=due_on,
                payer_organisation_id=payer,
                invoice_id=invoice_id,
                renewed_at=at,
            )
            .on_conflict_do_nothing()
            .returning(RenewalRow.number)
        )
        return inserted is not None


def _lines(invoice: Invoice) -> list[InvoiceLineRow]:
    return [
        InvoiceLineRow(
            position=position,
            subscription_id=line.subscription_id,
            product_code=line.product_code,
            description=line.description,
            period_start=line.period_start,
            period_end=line.period_end,
            list_price_minor=line.list_price.amount_minor,
            discount_minor=line.discount.amount_minor,
            discount_reason=line.discount_reason,
            amount_minor=line.amount.amount_minor,
        )
        for position, line in enumerate(invoice.lines, start=1)
    ]


def _fill(row: InvoiceRow, invoice: Invoice) -> None:
    parties = invoice.parties
    row.series = invoice.series
    row.number = invoice.number
    row.status = invoice.status.value
    row.kind = invoice.kind.value
    row.payer_organisation_id = parties.payer_organisation_id
    row.owner_organisation_id = parties.owner_organisation_id
    row.relationship_id = parties.relationship_id
    row.partner_organisation_id = parties.partner_organisation_id
    row.ordered_by_user_id = parties.ordered_by_user_id
    row.ordered_by_organisation_id = parties.ordered_by_organisation_id
    row.currency = invoice.currency.value
    row.subtotal_minor = invoice.subtotal.amount_minor
    row.tax_minor = invoice.tax_amount.amount_minor
    row.total_minor = invoice.total.amount_minor
    row.tax_treatment = invoice.tax.treatment.value
    row.tax_rate_bp = invoice.tax.rate_bp
    row.tax_reason = invoice.tax.reason
    row.payer_name = invoice.payer.name
    row.payer_country = invoice.payer.country
    row.payer_vat_number = invoice.payer.vat_number
    row.cashback_partner_organisation_id = invoice.cashback_partner_organisation_id
    row.cashback_rate_bp = invoice.cashback_rate_bp
    row.created_at = invoice.created_at
    row.issued_at = invoice.issued_at
    row.due_on = invoice.due_on
    row.paid_at = invoice.paid_at
    row.closed_at = invoice.closed_at
    row.close_reason = invoice.close_reason


def _invoice(row: InvoiceRow) -> Invoice:
    currency = Currency(row.currency)
    return Invoice(
        invoice_id=row.invoice_id,
        kind=InvoiceKind(row.kind),
        parties=Parties(
            payer_organisation_id=row.payer_organisation_id,
            owner_organisation_id=row.owner_organisation_id,
            relationship_id=row.relationship_id,
            partner_organisation_id=row.partner_organisation_id,
            ordered_by_user_id=row.ordered_by_user_id,
            ordered_by_organisation_id=row.ordered_by_organisation_id,
        ),
        currency=currency,
        lines=tuple(
            InvoiceLine(
                subscription_id=line.subscription_id,
                product_code=line.product_code,
                description=line.description,
                period_start=line.period_start,
                period_end=line.period_end,
                list_price=Money(line.list_price_minor, currency),
                discount=Money(line.discount_minor, currency),
                discount_reason=line.discount_reason,
            )
            for line in row.lines
        ),
        payer=TaxProfile(
            name=row.payer_name,
            country=row.payer_country,
            is_company=row.payer_vat_number is not None,
            vat_number=row.payer_vat_number,
        ),
        tax=TaxAssessment(TaxTreatment(row.tax_treatment), row.tax_rate_bp, row.tax_reason),
        created_at=row.created_at,
        cashback_partner_organisation_id=row.cashback_partner_organisation_id,
        cashback_rate_bp=row.cashback_rate_bp,
        status=InvoiceStatus(row.status),
        series=row.series,
        number=row.number,
        issued_at=row.issued_at,
        due_on=row.due_on,
        paid_at=row.paid_at,
        closed_at=row.closed_at,
        close_reason=row.close_reason,
    )


class PartyRepository:
    """What billing knows of organisations (for tax) and of partners' terms (for pricing)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def tax_profile(self, organisation_id: UUID) -> TaxProfile | None:
        """An organisation's tax profile, or None when identity has not told billing about it yet."""
        row = await self._session.get(OrganisationRow, organisation_id)
        if row is None:
            return None
        return TaxProfile(
            name=row.name, country=row.country, is_company=row.kind == "company", vat_number=row.vat_number
        )

    async def record_organisations(self, facts: Sequence[OrganisationFacts]) -> None:
        """Keep the latest facts about each organisation, in one statement; an older event never
        overwrites a newer one."""
        latest: dict[UUID, OrganisationFacts] = {}
        for fact in facts:
            known = latest.get(fact.organisation_id)
            if known is None or known.at <= fact.at:
                latest[fact.organisation_id] = fact
        rows = [
            {
                "organisation_id": fact.organisation_id,
                "name": fact.name,
                "kind": fact.kind,
                "country": fact.country,
                "vat_number": fact.vat_number,
                "updated_at": fact.at,
            }
            for fact in latest.values()
        ]
        await upsert(self._session, OrganisationRow, rows, key="organisation_id", newer="updated_at")

    async def partner_status(self, partner_organisation_id: UUID) -> str | None:
        """The partner's status in the programme, or None when partnership has not said (yet)."""
        row = await self._session.get(PartnerStandingRow, partner_organisation_id)
        return None if row is None else row.status

    async def record_partner_status(self, partner_organisation_id: UUID, status: str, at: datetime) -> None:
        """The partner's status from ``at`` on; an older change never overwrites a newer one."""
        rows = [{"partner_organisation_id": partner_organisation_id, "status": status, "changed_at": at}]
        await upsert(
            self._session, PartnerStandingRow, rows, key="partner_organisation_id", newer="changed_at"
        )

    async def terms_on(self, partner_organisation_id: UUID, when: datetime) -> PartnerTerms | None:
        """The partner's tier in force at ``when`` (None: no tier assigned yet)."""
        row = await self._session.scalar(
            select(PartnerTermsRow)
            .where(
                PartnerTermsRow.partner_organisation_id == partner_organisation_id,
                PartnerTermsRow.effective_from <= when,
            )
            .order_by(PartnerTermsRow.effective_from.desc())
            .limit(1)
        )
        if row is None:
            return None
        return PartnerTerms(row.tier, row.reseller_discount_bp, row.cashback_bp)

    async def record_terms(
        self, partner_organisation_id: UUID, terms: PartnerTerms, effective_from: datetime
    ) -> None:
        """A partner's tier from an instant on (the same instant again replaces it)."""
        values = {
            "partner_organisation_id": partner_organisation_id,
            "effective_from": effective_from,
            "tier": terms.tier,
            "reseller_discount_bp": terms.reseller_discount_bp,
            "cashback_bp": terms.cashback_bp,
        }
        statement = insert(PartnerTermsRow).values(values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[PartnerTermsRow.partner_organisation_id, PartnerTermsRow.effective_from],
                set_={
                    key: statement.excluded[key] for key in ("tier", "reseller_discount_bp", "cashback_bp")
                },
            )
        )
