"""Operator endpoints (Tessera's staff): run renewals up to a day, void an invoice.

Only administrators and legal representatives of ``BILLING_OPERATOR_ORGANISATION_ID`` may call
them; anyone else gets 403 (the endpoints' existence is no secret).
"""

from datetime import date, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from tessera_billing.config import BillingSettings
from tessera_billing.entrypoints.dependencies import CallerDep, UnitOfWorkDep
from tessera_billing.entrypoints.http_invoices import InvoiceView
from tessera_billing.service_layer.invoices import void_invoice
from tessera_billing.service_layer.renewals import renew_due
from tessera_events.identity import Role
from tessera_kit.auth import Caller
from tessera_kit.inputs import RequestBody
from tessera_kit.permissions import BILLING, requires
from tessera_kit.problems import Forbidden, InvalidInput
from tessera_kit.service import runtime_of

router = APIRouter(prefix="/v1/operations", tags=["operations"])
OPERATOR_ROLES = {Role.ADMINISTRATOR, Role.LEGAL_REPRESENTATIVE}
# Renewing ahead reaches a yearly product's next two periods (what a year-end run, and the tests that
# renew ahead of time, need), not centuries: a far ``until`` would invoice every period up to it at
# once and e-mail each payer about each. One call renews at most MAX_RENEWALS_PER_RUN periods.
MAX_RENEWAL_LEAD = timedelta(days=2 * 366 + 31)
MAX_RENEWALS_PER_RUN = 1000


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
    complete: bool = Field(
        description=f"False: the run stopped after {MAX_RENEWALS_PER_RUN} periods; call again to go on."
    )


class VoidInvoice(RequestBody):
    """Why the invoice is voided (printed in the history and the event)."""

    reason: str = Field(min_length=1, max_length=500)


@router.post(
    "/renewals/run",
    summary="Renew every period due up to a day",
    dependencies=[requires(BILLING["operations:write"])],
)
async def run_renewals(request: Request, until: date, _: OperatorDep) -> RenewalRunView:
    """Renew now what falls due on or before ``until`` (e.g. to renew ahead of time); the job does
    the same each day by itself. Each period renews once, whoever runs it and however often: the same
    call again issues nothing new.

    ``until`` may be at most two years and a month ahead (422 otherwise), and one call renews at most
    1000 periods (``complete: false`` then; call again to go on): a mistyped year must not invoice a
    century."""
    runtime = runtime_of(request)
    latest = runtime.clock.now().date() + MAX_RENEWAL_LEAD
    if until > latest:
        raise InvalidInput(
            f"until may be at most {MAX_RENEWAL_LEAD.days} days ahead: {latest.isoformat()} or earlier",
            latest_until=latest.isoformat(),
        )
    run = await renew_due(runtime.unit_of_work, until, limit=MAX_RENEWALS_PER_RUN)
    return RenewalRunView(
        until=until,
        renewed=len(run.invoices),
        invoices=[InvoiceView.of(invoice) for invoice in run.invoices],
        failed_subscription_ids=list(run.failed),
        complete=run.complete,
    )


@router.post(
    "/invoices/{invoice_id}/void",
    summary="Void an issued invoice",
    dependencies=[requires(BILLING["operations:write"])],
)
async def post_void_invoice(
    invoice_id: UUID, body: VoidInvoice, _: OperatorDep, uow: UnitOfWorkDep
) -> InvoiceView:
    """Void an issued, unpaid invoice: it keeps its number, its payer is credited; 409 if paid or closed."""
    return InvoiceView.of(await void_invoice(uow, invoice_id, body.reason))
