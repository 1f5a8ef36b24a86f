"""Finds the payments side's ``request_payment`` when this build has it (it is written separately)."""

import importlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, cast
from uuid import UUID

from tessera_billing.service_layer.ports import AwaitingPayment, PaymentRequests

if TYPE_CHECKING:
    from tessera_billing.adapters.uow import BillingUnitOfWork

RequestPayment = Callable[["BillingUnitOfWork", UUID], Awaitable[None]]
PAYMENTS_MODULE = "tessera_billing.service_layer.payments"


class ModulePaymentRequests:
    """The payments module's ``request_payment(uow, invoice_id)``, behind the port."""

    def __init__(self, request: RequestPayment) -> None:
        self._request = request

    async def request_payment(self, uow: "BillingUnitOfWork", invoice_id: UUID) -> None:
        """Schedule the charge of the invoice, in the caller's transaction."""
        await self._request(uow, invoice_id)


def payment_requests() -> PaymentRequests:
    """The payments side's port when its module is installed, else invoices wait to be paid."""
    try:
        module = importlib.import_module(PAYMENTS_MODULE)
    except ModuleNotFoundError as missing:
        if missing.name != PAYMENTS_MODULE:
            raise  # the module exists but something it imports does not: that is a bug to see
        return AwaitingPayment()
    request = getattr(module, "request_payment", None)
    if request is None:
        return AwaitingPayment()
    return ModulePaymentRequests(cast(RequestPayment, request))
