"""What billing core needs from the payments side, as a port: main.py plugs the real one in."""

from typing import TYPE_CHECKING, Protocol
from uuid import UUID

if TYPE_CHECKING:
    from tessera_billing.adapters.uow import BillingUnitOfWork


class PaymentRequests(Protocol):
    """Asks for an issued invoice to be charged (e.g. off-session to the payer's primary card)."""

    async def request_payment(self, uow: "BillingUnitOfWork", invoice_id: UUID) -> None:
        """Schedule the charge of ``invoice_id`` in the caller's open transaction (it commits with it)."""
        ...


class AwaitingPayment:
    """No payments module in this build: issued invoices wait to be paid by other means.

    They stay ``issued`` until :func:`~tessera_billing.service_layer.invoices.mark_invoice_paid`
    (or a write-off) is applied to them.
    """

    async def request_payment(self, uow: "BillingUnitOfWork", invoice_id: UUID) -> None:
        """Leave the invoice issued, awaiting payment."""
