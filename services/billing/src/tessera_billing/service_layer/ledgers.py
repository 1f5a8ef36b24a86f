"""Reading billing's ledgers: a partner's cashback statement, an organisation's history, a client export."""

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tessera_billing.adapters.ledger_repository import HistoryFilter
from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.domain.ledgers import CashbackEntry, HistoryEntry
from tessera_billing.domain.money import Currency, Money
from tessera_kit.auth import MANAGER_ROLES, Caller
from tessera_kit.problems import NotFound

EXPORT_COLUMNS = (
    "invoice_number", "issued_at", "status", "product_code", "description", "period_start", "period_end",
    "currency", "list_price", "discount", "amount", "discount_reason",
)  # fmt: skip


@dataclass(frozen=True)
class CashbackStatement:
    """A partner's cashback entries over a span, and their totals per currency."""

    entries: tuple[CashbackEntry, ...]
    totals: tuple[Money, ...]


async def cashback_statement(
    uow: BillingUnitOfWork, partner_organisation_id: UUID, since: datetime | None, until: datetime | None
) -> CashbackStatement:
    """The partner's cashback earned in ``[since, until)``, oldest first, with a total per currency."""
    async with uow:
        entries = await uow.cashback.of_partner(partner_organisation_id, since, until)
    totals: dict[Currency, Money] = {}
    for entry in entries:
        currency = entry.amount.currency
        totals[currency] = totals.get(currency, Money.zero(currency)) + entry.amount
    return CashbackStatement(tuple(entries), tuple(totals[currency] for currency in sorted(totals)))


@dataclass(frozen=True)
class HistoryPage:
    """Entries of a billing history, newest first, and the cursor of the next page (None: the last)."""

    entries: tuple[HistoryEntry, ...]
    next_cursor: tuple[datetime, UUID] | None


async def history_page(
    uow: BillingUnitOfWork,
    organisation_id: UUID,
    wanted: HistoryFilter,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> HistoryPage:
    """One page of the organisation's charges, refunds and credits."""
    async with uow:
        entries = await uow.history.page(organisation_id, wanted, after, limit + 1)
    page = entries[:limit]
    more = len(entries) > limit
    return HistoryPage(tuple(page), (page[-1].occurred_at, page[-1].entry_id) if more else None)


async def client_billing_export(
    uow: BillingUnitOfWork,
    caller: Caller,
    partner_organisation_id: UUID,
    client_organisation_id: UUID,
) -> str:
    """CSV of what the partner was invoiced for its client's products, one row per invoice line.

    For a partner that re-invoices its client. Only the partner's managers, and its members on the
    client's staff list, may export, and only for a client it has (or had) a relationship with;
    anyone else gets 404.
    """
    if not caller.is_member_of(partner_organisation_id):
        raise NotFound(f"organisation {partner_organisation_id} not found")
    async with uow:
        relationships = await uow.relationships.of_client_with(
            client_organisation_id, [partner_organisation_id]
        )
        role = caller.role_in(partner_organisation_id)
        if not any(
            relationship.lets_user_act(caller.user_id, is_partner_manager=role in MANAGER_ROLES)
            for relationship in relationships
        ):
            raise NotFound(f"organisation {partner_organisation_id} has no client {client_organisation_id}")
        invoices = await uow.invoices.for_client_paid_by(client_organisation_id, partner_organisation_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for invoice in invoices:
        for line in invoice.lines:
            writer.writerow(
                (
                    invoice.number,
                    invoice.issued_at.isoformat() if invoice.issued_at else "",
                    invoice.status.value,
                    line.product_code,
                    line.description,
                    line.period_start.isoformat(),
                    line.period_end.isoformat(),
                    invoice.currency.value,
                    _decimal(line.list_price),
                    _decimal(line.discount),
                    _decimal(line.amount),
                    line.discount_reason or "",
                )
            )
    return out.getvalue()


def _decimal(money: Money) -> str:
    sign = "-" if money.amount_minor < 0 else ""
    units, cents = divmod(abs(money.amount_minor), 100)
    return f"{sign}{units}.{cents:02d}"
