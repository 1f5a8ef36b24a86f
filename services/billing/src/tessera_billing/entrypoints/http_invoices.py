"""Invoices over HTTP: listed, read and downloaded as PDF, only in the organisation that pays them."""

from datetime import date, datetime
from uuid import UUID

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from tessera_billing.config import BillingSettings
from tessera_billing.domain.invoices import Invoice, InvoiceKind, InvoiceStatus
from tessera_billing.entrypoints.dependencies import CallerDep, UnitOfWorkDep
from tessera_billing.entrypoints.views import MoneyView
from tessera_billing.service_layer.access import require_member
from tessera_billing.service_layer.invoices import invoice_of_payer, invoices_paid_by
from tessera_events.billing import TaxTreatment
from tessera_kit.permissions import BILLING, requires
from tessera_kit.service import runtime_of

router = APIRouter(prefix="/v1", tags=["invoices"])


class InvoiceLineView(BaseModel):
    """One product for one period: list price, discount (and why), amount before tax."""

    subscription_id: UUID | None
    product_code: str
    description: str
    period_start: date
    period_end: date
    list_price: MoneyView
    discount: MoneyView
    discount_reason: str | None
    amount: MoneyView


class InvoiceView(BaseModel):
    """An invoice as its payer sees it."""

    invoice_id: UUID
    number: str | None
    status: InvoiceStatus
    kind: InvoiceKind
    payer_organisation_id: UUID
    owner_organisation_id: UUID
    relationship_id: UUID | None
    ordered_by_user_id: UUID
    ordered_by_organisation_id: UUID
    lines: list[InvoiceLineView]
    subtotal: MoneyView
    tax: MoneyView
    total: MoneyView
    tax_treatment: TaxTreatment
    tax_rate_bp: int
    tax_reason: str
    issued_at: datetime | None
    due_on: date | None
    paid_at: datetime | None
    closed_at: datetime | None
    close_reason: str | None

    @classmethod
    def of(cls, invoice: Invoice) -> "InvoiceView":
        """The view of an invoice."""
        parties = invoice.parties
        return cls(
            invoice_id=invoice.invoice_id,
            number=invoice.number,
            status=invoice.status,
            kind=invoice.kind,
            payer_organisation_id=parties.payer_organisation_id,
            owner_organisation_id=parties.owner_organisation_id,
            relationship_id=parties.relationship_id,
            ordered_by_user_id=parties.ordered_by_user_id,
            ordered_by_organisation_id=parties.ordered_by_organisation_id,
            lines=[
                InvoiceLineView(
                    subscription_id=line.subscription_id,
                    product_code=line.product_code,
                    description=line.description,
                    period_start=line.period_start,
                    period_end=line.period_end,
                    list_price=MoneyView.of(line.list_price),
                    discount=MoneyView.of(line.discount),
                    discount_reason=line.discount_reason,
                    amount=MoneyView.of(line.amount),
                )
                for line in invoice.lines
            ],
            subtotal=MoneyView.of(invoice.subtotal),
            tax=MoneyView.of(invoice.tax_amount),
            total=MoneyView.of(invoice.total),
            tax_treatment=TaxTreatment(invoice.tax.treatment.value),
            tax_rate_bp=invoice.tax.rate_bp,
            tax_reason=invoice.tax.reason,
            issued_at=invoice.issued_at,
            due_on=invoice.due_on,
            paid_at=invoice.paid_at,
            closed_at=invoice.closed_at,
            close_reason=invoice.close_reason,
        )


@router.get(
    "/organisations/{organisation_id}/invoices",
    summary="The invoices the organisation pays",
    dependencies=[requires(BILLING["invoices:read"])],
)
async def get_invoices(
    organisation_id: UUID, caller: CallerDep, uow: UnitOfWorkDep, status: InvoiceStatus | None = None
) -> list[InvoiceView]:
    """Invoices addressed to the organisation, newest first; members only (anyone else: 404)."""
    require_member(caller.roles.keys(), organisation_id)
    return [InvoiceView.of(invoice) for invoice in await invoices_paid_by(uow, organisation_id, status)]


@router.get(
    "/organisations/{organisation_id}/invoices/{invoice_id}",
    summary="One invoice",
    dependencies=[requires(BILLING["invoices:read"])],
)
async def get_invoice(
    organisation_id: UUID, invoice_id: UUID, caller: CallerDep, uow: UnitOfWorkDep
) -> InvoiceView:
    """An invoice the organisation pays; 404 for anyone else, the products' owner and partner included."""
    require_member(caller.roles.keys(), organisation_id)
    return InvoiceView.of(await invoice_of_payer(uow, organisation_id, invoice_id))


@router.get(
    "/organisations/{organisation_id}/invoices/{invoice_id}/pdf",
    summary="One invoice as a PDF",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
    dependencies=[requires(BILLING["invoices:read"])],
)
async def get_invoice_pdf(
    request: Request, organisation_id: UUID, invoice_id: UUID, caller: CallerDep, uow: UnitOfWorkDep
) -> Response:
    """The invoice's PDF, with the tax reason printed; the same 404 rules as the invoice."""
    require_member(caller.roles.keys(), organisation_id)
    invoice = await invoice_of_payer(uow, organisation_id, invoice_id)
    settings = runtime_of(request).settings
    assert isinstance(settings, BillingSettings)
    # Imported on the first download: fpdf2 (with fontTools, Pillow and NumPy) is ~32 MiB resident,
    # too much to hold in every billing process for a route called now and then.
    from tessera_billing.adapters.invoice_pdf import render_invoice

    return Response(
        render_invoice(invoice, settings.invoice_issuer),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{invoice.number or invoice.invoice_id}.pdf"'},
    )
