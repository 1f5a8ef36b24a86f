"""Queries on the partner programme: partners, affiliates, managed volume and cashback."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tessera_partnership.adapters.orm import (
    AffiliateRow,
    CashbackRow,
    ManagedInvoiceRow,
    PaidInvoiceRow,
    PartnerRow,
)
from tessera_partnership.domain.money import Money
from tessera_partnership.domain.programme import ManagedInvoice, ManagedVolume, Partner, PartnerStatus


class ProgrammeRepository:
    """Partners and affiliates, and the billing facts their benefits depend on."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def partner(self, organisation_id: UUID, *, for_update: bool = False) -> Partner | None:
        """The organisation's place in the programme, if it ever applied."""
        query = select(PartnerRow).where(PartnerRow.organisation_id == organisation_id)
        if for_update:
            query = query.with_for_update()
        row = await self._session.scalar(query)
        return None if row is None else _partner(row)

    async def partners(self, status: PartnerStatus | None) -> list[Partner]:
        """Every partner (in one status if given), longest-standing first."""
        query = select(PartnerRow).order_by(PartnerRow.applied_at)
        if status is not None:
            query = query.where(PartnerRow.status == status.value)
        return [_partner(row) for row in await self._session.scalars(query)]

    async def save_partner(self, partner: Partner) -> None:
        """Insert or update a partner (a new application replaces one that left)."""
        values = {
            "organisation_id": partner.organisation_id,
            "status": partner.status.value,
            "website_url": partner.website_url,
            "registry_number": partner.registry_number,
            "commitment_minor": partner.annual_commitment.amount_minor,
            "commitment_currency": partner.annual_commitment.currency,
            "applied_at": partner.applied_at,
            "status_changed_at": partner.status_changed_at,
            "tier": partner.tier,
        }
        await self._session.execute(
            insert(PartnerRow)
            .values(values)
            .on_conflict_do_update(index_elements=["organisation_id"], set_=values)
        )

    async def is_affiliate(self, organisation_id: UUID, *, for_update: bool = False) -> bool:
        """Whether the organisation is in the affiliate programme."""
        query = select(AffiliateRow.organisation_id).where(AffiliateRow.organisation_id == organisation_id)
        if for_update:
            query = query.with_for_update()
        return await self._session.scalar(query) is not None

    async def add_affiliate(self, organisation_id: UUID, now: datetime) -> None:
        """Enrol an affiliate (idempotent)."""
        await self._session.execute(
            insert(AffiliateRow)
            .values(organisation_id=organisation_id, joined_at=now)
            .on_conflict_do_nothing()
        )

    async def remove_affiliate(self, organisation_id: UUID) -> bool:
        """An affiliate leaves; False if it was not one."""
        row = await self._session.get(AffiliateRow, organisation_id)
        if row is None:
            return False
        await self._session.delete(row)
        return True

    async def record_paid_invoice(
        self, invoice_id: UUID, partner_id: UUID, client_id: UUID, total: Money, paid_at: datetime
    ) -> None:
        """Count a paid invoice of a managed client towards its partner's volume (once)."""
        await self._session.execute(
            insert(PaidInvoiceRow)
            .values(
                invoice_id=invoice_id,
                partner_organisation_id=partner_id,
                client_organisation_id=client_id,
                total_minor=total.amount_minor,
                currency=total.currency,
                paid_at=paid_at,
            )
            .on_conflict_do_nothing()
        )

    async def record_cashback(
        self, entry_id: UUID, partner_id: UUID, client_id: UUID, amount: Money, earned_at: datetime
    ) -> None:
        """Remember cashback a partner earned (once)."""
        await self._session.execute(
            insert(CashbackRow)
            .values(
                entry_id=entry_id,
                partner_organisation_id=partner_id,
                client_organisation_id=client_id,
                amount_minor=amount.amount_minor,
                currency=amount.currency,
                earned_at=earned_at,
            )
            .on_conflict_do_nothing()
        )

    async def record_managed_invoice(self, invoice: ManagedInvoice) -> None:
        """Remember an invoice issued under a partner's relationship (once)."""
        await self._session.execute(
            insert(ManagedInvoiceRow)
            .values(
                invoice_id=invoice.invoice_id,
                partner_organisation_id=invoice.partner_id,
                client_organisation_id=invoice.client_id,
                payer_organisation_id=invoice.payer_id,
                relationship_id=invoice.relationship_id,
                subtotal_minor=invoice.subtotal.amount_minor,
                currency=invoice.subtotal.currency,
                issued_at=invoice.issued_at,
            )
            .on_conflict_do_nothing()
        )

    async def managed_invoice_paid(self, invoice_id: UUID, paid_at: datetime) -> None:
        """A managed invoice was paid (the first time counts; an unknown invoice changes nothing)."""
        row = ManagedInvoiceRow
        await self._session.execute(
            update(row).where(row.invoice_id == invoice_id, row.paid_at.is_(None)).values(paid_at=paid_at)
        )

    async def managed_invoice_voided(self, invoice_id: UUID, voided_at: datetime) -> None:
        """A managed invoice was voided or written off (the first time counts)."""
        row = ManagedInvoiceRow
        await self._session.execute(
            update(row)
            .where(row.invoice_id == invoice_id, row.voided_at.is_(None))
            .values(voided_at=voided_at)
        )

    async def managed_volume(self, partner_id: UUID, since: datetime) -> ManagedVolume:
        """Since ``since``, net of tax, per currency: what the partner's clients were invoiced under its
        relationships (voided invoices do not count), and what the partner paid for them."""
        row = ManagedInvoiceRow
        mine = row.partner_organisation_id == partner_id
        to_clients = await self._sums(
            mine, row.payer_organisation_id != partner_id, row.voided_at.is_(None), row.issued_at >= since
        )
        by_partner = await self._sums(mine, row.payer_organisation_id == partner_id, row.paid_at >= since)
        return ManagedVolume(invoiced_to_clients=to_clients, paid_by_partner=by_partner)

    async def _sums(self, *conditions: ColumnElement[bool]) -> tuple[Money, ...]:
        row = ManagedInvoiceRow
        found = await self._session.execute(
            select(row.currency, func.sum(row.subtotal_minor))
            .where(*conditions)
            .group_by(row.currency)
            .order_by(row.currency)
        )
        return tuple(Money(int(total), currency) for currency, total in found)

    async def volume_by_client(self, partner_id: UUID, since: datetime) -> dict[UUID, list[Money]]:
        """Paid volume per client since ``since``, per currency."""
        rows = await self._session.execute(
            select(
                PaidInvoiceRow.client_organisation_id,
                PaidInvoiceRow.currency,
                func.sum(PaidInvoiceRow.total_minor),
            )
            .where(PaidInvoiceRow.partner_organisation_id == partner_id, PaidInvoiceRow.paid_at >= since)
            .group_by(PaidInvoiceRow.client_organisation_id, PaidInvoiceRow.currency)
            .order_by(PaidInvoiceRow.currency)
        )
        found: dict[UUID, list[Money]] = {}
        for client, currency, total in rows:
            found.setdefault(client, []).append(Money(int(total), currency))
        return found

    async def cashback(self, partner_id: UUID, since: datetime) -> list[Money]:
        """Cashback earned since ``since``, one amount per currency."""
        rows = await self._session.execute(
            select(CashbackRow.currency, func.sum(CashbackRow.amount_minor))
            .where(CashbackRow.partner_organisation_id == partner_id, CashbackRow.earned_at >= since)
            .group_by(CashbackRow.currency)
            .order_by(CashbackRow.currency)
        )
        return [Money(int(total), currency) for currency, total in rows]


def _partner(row: PartnerRow) -> Partner:
    return Partner(
        organisation_id=row.organisation_id,
        status=PartnerStatus(row.status),
        website_url=row.website_url,
        registry_number=row.registry_number,
        annual_commitment=Money(row.commitment_minor, row.commitment_currency),
        applied_at=row.applied_at,
        status_changed_at=row.status_changed_at,
        tier=row.tier,
    )
