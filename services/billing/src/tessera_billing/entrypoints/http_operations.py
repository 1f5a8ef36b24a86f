"""Operator endpoints (Tessera's staff): run renewals up to a day, void an invoice.

Only administrators and legal representatives of ``BILLING_OPERATOR_ORGANISATION_ID`` may call
them; anyone else gets 403 (the endpoints' existence is no secret).
"""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from tessera_billing.config import BillingSettings
from tessera_billing.entrypoints.dependencies import CallerDep, UnitOfWorkDep
from tessera_billing.entrypoints.http_invoices import InvoiceView
from tessera_billing.service_layer.invoices import void_invoice
from tessera_billing.service_layer.renewals import renew_due
from tessera_events.identity import Role
from tessera_kit.auth import Caller
from tessera_kit.problems import Forbidden
from tessera_kit.service import runtime_of

router = APIRouter(prefix="/v1/operations", tags=["operations"])
OPERATOR_ROLES = {Role.ADMINISTRATOR, Role.LEGAL_REPRESENTATIVE}


# async although nothing is awaited: FastAPI runs a plain ``def`` dependency in its thread pool, a
# thread hop on every request.
async def operator(request: Request, caller: CallerDep) -> Caller:
    """The caller, if an operator; 403 otherwise."""
    settings = runtime_of(request).settings
    assert isinstance(settings, BillingSettings)
    organisation = settings.operator_organisation_id
    if organisation is None or caller.role_in(organisation) not in OPERATOR_ROLES:
        raise Forbidden("operators only")
    return caller


OperatorDep = Annotated[Caller, Depends(operator)]


class RenewalRunView(BaseModel):
    """What a run renewed: one invoice per renewed period; subscriptions that failed are retried later."""

    until: date
    renewed: int
    invoices: list[InvoiceView]
    failed_subscription_ids: list[UUID]


class VoidInvoice(BaseModel):
    """Why the invoice is voided (printed in the history and the event)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


@router.post("/renewals/run", summary="Renew every period due up to a day")
async def run_renewals(request: Request, until: date, _: OperatorDep) -> RenewalRunView:
    """Renew now what falls due on or before ``until`` (e.g. to renew ahead of time); the job does
    the same each day by itself. Each period renews once, whoever runs it and however often."""
    run = await renew_due(runtime_of(request).unit_of_work, until)
    return RenewalRunView(
        until=until,
        renewed=len(run.invoices),
        invoices=[InvoiceView.of(invoice) for invoice in run.invoices],
        failed_subscription_ids=list(run.failed),
    )


@router.post("/invoices/{invoice_id}/void", summary="Void an issued invoice")
async def post_void_invoice(
    invoice_id: UUID, body: VoidInvoice, _: OperatorDep, uow: UnitOfWorkDep
) -> InvoiceView:
    """Void an issued, unpaid invoice: it keeps its number, its payer is credited; 409 if paid or closed."""
    return InvoiceView.of(await void_invoice(uow, invoice_id, body.reason))
