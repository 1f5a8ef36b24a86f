"""Invoices: issuing (numbered, taxed, announced), paying, voiding, writing off, and reading them.

``issue_invoice``, ``mark_invoice_paid``, ``mark_invoice_uncollectible`` and ``record_refund`` run
inside the caller's open unit of work (an order, a renewal, a payment webhook or a dunning step) and
never commit: their effects and events commit with the caller's, or not at all.
"""

from datetime import datetime
from uuid import UUID, uuid4

from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.domain.errors import InvoiceStateConflict
from tessera_billing.domain.invoices import Invoice, InvoiceStatus, series_for
from tessera_billing.domain.ledgers import CashbackEntry, HistoryEntry, HistoryKind
from tessera_billing.domain.money import Money
from tessera_billing.service_layer.contracts import contract_money
from tessera_events.billing import CashbackEarned, InvoiceIssued, InvoicePaid, InvoiceVoided, TaxTreatment
from tessera_kit.problems import Conflict, NotFound


async def issue_invoice(uow: BillingUnitOfWork, draft: Invoice) -> Invoice:
    """Number a draft in its series, store it, announce InvoiceIssued and ask for its payment."""
    now = uow.clock.now()
    series = series_for(draft.currency, now)
    invoice = draft.issue(sequence=await uow.invoices.next_sequence(series), series=series, at=now)
    await uow.invoices.save(invoice)
    assert invoice.number is not None
    assert invoice.issued_at is not None
    assert invoice.due_on is not None
    parties = invoice.parties
    uow.emit(
        InvoiceIssued(
            invoice_id=invoice.invoice_id,
            number=invoice.number,
            payer_organisation_id=parties.payer_organisation_id,
            owner_organisation_id=parties.owner_organisation_id,
            relationship_id=parties.relationship_id,
            partner_organisation_id=parties.partner_organisation_id,
            subtotal=contract_money(invoice.subtotal),
            tax=contract_money(invoice.tax_amount),
            total=contract_money(invoice.total),
            tax_treatment=TaxTreatment(invoice.tax.treatment.value),
            issued_at=invoice.issued_at,
            due_on=invoice.due_on,
        ),
        occurred_at=now,
    )
    await uow.payments.request_payment(uow, invoice.invoice_id)
    return invoice


async def mark_invoice_paid(uow: BillingUnitOfWork, invoice_id: UUID, paid_at: datetime) -> None:
    """An issued invoice was paid: record the charge, emit InvoicePaid, and accrue the partner's cashback.

    Idempotent: an invoice already paid changes nothing and emits nothing. Raises NotFound for an
    unknown invoice and Conflict for one that was voided or written off (or is still a draft).
    """
    invoice = await _invoice_for_update(uow, invoice_id)
    try:
        paid = invoice.pay(paid_at)
    except InvoiceStateConflict as error:
        raise Conflict(str(error), invoice_id=str(invoice_id)) from error
    if paid is None:
        return
    await uow.invoices.save(paid)
    assert paid.number is not None
    await _record(uow, paid, HistoryKind.CHARGE, paid.total, f"Invoice {paid.number} paid", paid_at)
    uow.emit(
        InvoicePaid(
            invoice_id=paid.invoice_id,
            number=paid.number,
            payer_organisation_id=paid.parties.payer_organisation_id,
            owner_organisation_id=paid.parties.owner_organisation_id,
            partner_organisation_id=paid.parties.partner_organisation_id,
            total=contract_money(paid.total),
            paid_at=paid_at,
        ),
        occurred_at=paid_at,
    )
    await _accrue_cashback(uow, paid, paid_at)


async def _accrue_cashback(uow: BillingUnitOfWork, invoice: Invoice, at: datetime) -> None:
    partner, relationship = invoice.cashback_partner_organisation_id, invoice.parties.relationship_id
    amount = invoice.cashback
    if partner is None or relationship is None or amount.amount_minor == 0 or invoice.number is None:
        return
    entry = CashbackEntry(
        entry_id=uuid4(),
        partner_organisation_id=partner,
        client_organisation_id=invoice.parties.owner_organisation_id,
        relationship_id=relationship,
        invoice_id=invoice.invoice_id,
        invoice_number=invoice.number,
        rate_bp=invoice.cashback_rate_bp,
        base=invoice.subtotal,
        amount=amount,
        earned_at=at,
    )
    if not await uow.cashback.add(entry):
        return  # this invoice already earned its cashback: never twice
    uow.emit(
        CashbackEarned(
            entry_id=entry.entry_id,
            partner_organisation_id=partner,
            client_organisation_id=entry.client_organisation_id,
            relationship_id=relationship,
            invoice_id=invoice.invoice_id,
            rate_bp=entry.rate_bp,
            amount=contract_money(amount),
            earned_at=at,
        ),
        occurred_at=at,
    )


async def mark_invoice_uncollectible(
    uow: BillingUnitOfWork, invoice_id: UUID, reason: str, at: datetime
) -> None:
    """Dunning gave up: write the issued invoice off as uncollectible and emit InvoiceVoided.

    Idempotent like :func:`mark_invoice_paid`; Conflict when the invoice was paid or voided meanwhile.
    """
    await _close(uow, invoice_id, uncollectible=True, reason=reason, at=at)


async def record_refund(
    uow: BillingUnitOfWork, invoice_id: UUID, amount: Money, reason: str, at: datetime
) -> None:
    """Money given back to an invoice's payer: a refund line in its billing history."""
    invoice = await _invoice_for_update(uow, invoice_id)
    await _record(uow, invoice, HistoryKind.REFUND, amount, reason, at)


async def void_invoice(uow: BillingUnitOfWork, invoice_id: UUID, reason: str) -> Invoice:
    """Void an issued, unpaid invoice (it keeps its number); its payer is credited the total."""
    async with uow:
        await _close(uow, invoice_id, uncollectible=False, reason=reason, at=uow.clock.now())
        invoice = await _invoice_for_update(uow, invoice_id)
        await uow.commit()
    return invoice


async def _close(
    uow: BillingUnitOfWork, invoice_id: UUID, *, uncollectible: bool, reason: str, at: datetime
) -> None:
    invoice = await _invoice_for_update(uow, invoice_id)
    try:
        closed = invoice.close(uncollectible=uncollectible, reason=reason, at=at)
    except InvoiceStateConflict as error:
        raise Conflict(str(error), invoice_id=str(invoice_id)) from error
    if closed is None:
        return
    await uow.invoices.save(closed)
    assert closed.number is not None
    what = "written off" if uncollectible else "voided"
    await _record(
        uow, closed, HistoryKind.CREDIT, closed.total, f"Invoice {closed.number} {what}: {reason}", at
    )
    uow.emit(
        InvoiceVoided(
            invoice_id=closed.invoice_id,
            number=closed.number,
            payer_organisation_id=closed.parties.payer_organisation_id,
            uncollectible=uncollectible,
            reason=reason,
            voided_at=at,
        ),
        occurred_at=at,
    )


async def _record(
    uow: BillingUnitOfWork, invoice: Invoice, kind: HistoryKind, amount: Money, description: str, at: datetime
) -> None:
    await uow.history.add(
        HistoryEntry(
            entry_id=uuid4(),
            organisation_id=invoice.parties.payer_organisation_id,
            kind=kind,
            invoice_id=invoice.invoice_id,
            description=description,
            amount=amount,
            occurred_at=at,
        )
    )


async def _invoice_for_update(uow: BillingUnitOfWork, invoice_id: UUID) -> Invoice:
    invoice = await uow.invoices.get(invoice_id, for_update=True)
    if invoice is None:
        raise NotFound(f"invoice {invoice_id} not found", invoice_id=str(invoice_id))
    return invoice


async def invoices_paid_by(
    uow: BillingUnitOfWork, organisation_id: UUID, status: InvoiceStatus | None
) -> list[Invoice]:
    """The invoices an organisation pays, newest first."""
    async with uow:
        return await uow.invoices.paid_by(organisation_id, status=status)


async def invoice_of_payer(uow: BillingUnitOfWork, organisation_id: UUID, invoice_id: UUID) -> Invoice:
    """One invoice, only if ``organisation_id`` pays it: anyone else learns nothing (404)."""
    async with uow:
        invoice = await uow.invoices.get(invoice_id)
    if invoice is None or invoice.parties.payer_organisation_id != organisation_id:
        raise NotFound(f"invoice {invoice_id} not found", invoice_id=str(invoice_id))
    return invoice
