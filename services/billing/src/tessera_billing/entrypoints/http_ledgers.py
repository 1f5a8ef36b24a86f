"""Cashback statements, billing history (filtered, cursor-paginated) and the client CSV export."""

import base64
import binascii
from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime, BaseModel

from tessera_billing.adapters.ledger_repository import HistoryFilter
from tessera_billing.domain.ledgers import CashbackEntry, HistoryEntry, HistoryKind
from tessera_billing.domain.money import Currency
from tessera_billing.entrypoints.dependencies import CallerDep, UnitOfWorkDep
from tessera_billing.entrypoints.views import MoneyView
from tessera_billing.service_layer.access import require_member
from tessera_billing.service_layer.ledgers import cashback_statement, client_billing_export, history_page
from tessera_kit.permissions import BILLING, requires
from tessera_kit.problems import InvalidInput

router = APIRouter(prefix="/v1")


class CashbackEntryView(BaseModel):
    """Cashback earned on one paid invoice."""

    entry_id: UUID
    client_organisation_id: UUID
    relationship_id: UUID
    invoice_id: UUID
    invoice_number: str
    rate_bp: int
    base: MoneyView
    amount: MoneyView
    earned_at: datetime

    @classmethod
    def of(cls, entry: CashbackEntry) -> "CashbackEntryView":
        """The view of an entry."""
        return cls(
            entry_id=entry.entry_id,
            client_organisation_id=entry.client_organisation_id,
            relationship_id=entry.relationship_id,
            invoice_id=entry.invoice_id,
            invoice_number=entry.invoice_number,
            rate_bp=entry.rate_bp,
            base=MoneyView.of(entry.base),
            amount=MoneyView.of(entry.amount),
            earned_at=entry.earned_at,
        )


class CashbackStatementView(BaseModel):
    """A partner's cashback over a span: the entries, oldest first, and a total per currency."""

    partner_organisation_id: UUID
    since: datetime | None
    until: datetime | None
    entries: list[CashbackEntryView]
    totals: list[MoneyView]


class HistoryEntryView(BaseModel):
    """A charge, refund or credit."""

    entry_id: UUID
    kind: HistoryKind
    invoice_id: UUID | None
    description: str
    amount: MoneyView
    occurred_at: datetime

    @classmethod
    def of(cls, entry: HistoryEntry) -> "HistoryEntryView":
        """The view of an entry."""
        return cls(
            entry_id=entry.entry_id,
            kind=entry.kind,
            invoice_id=entry.invoice_id,
            description=entry.description,
            amount=MoneyView.of(entry.amount),
            occurred_at=entry.occurred_at,
        )


class HistoryPageView(BaseModel):
    """One page, newest first; pass ``next_cursor`` as ``cursor`` for the next (null: no more)."""

    entries: list[HistoryEntryView]
    next_cursor: str | None


@router.get(
    "/organisations/{organisation_id}/cashback",
    tags=["cashback"],
    summary="A partner's cashback statement",
    dependencies=[requires(BILLING["cashback:read"])],
)
async def get_cashback_statement(
    organisation_id: UUID,
    caller: CallerDep,
    uow: UnitOfWorkDep,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
) -> CashbackStatementView:
    """Cashback the partner earned in ``[since, until)``; the partner's members only."""
    require_member(caller.roles.keys(), organisation_id)
    statement = await cashback_statement(uow, organisation_id, since, until)
    return CashbackStatementView(
        partner_organisation_id=organisation_id,
        since=since,
        until=until,
        entries=[CashbackEntryView.of(entry) for entry in statement.entries],
        totals=[MoneyView.of(total) for total in statement.totals],
    )


@router.get(
    "/organisations/{organisation_id}/billing-history",
    tags=["history"],
    summary="Charges, refunds and credits",
    dependencies=[requires(BILLING["invoices:read"])],
)
async def get_billing_history(
    organisation_id: UUID,
    caller: CallerDep,
    uow: UnitOfWorkDep,
    kind: Annotated[list[HistoryKind] | None, Query()] = None,
    currency: Currency | None = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> HistoryPageView:
    """The organisation's billing history, newest first, filtered by kind, currency and span; members only."""
    require_member(caller.roles.keys(), organisation_id)
    wanted = HistoryFilter(kinds=tuple(kind or ()), currency=currency, since=since, until=until)
    page = await history_page(uow, organisation_id, wanted, _decode(cursor) if cursor else None, limit)
    return HistoryPageView(
        entries=[HistoryEntryView.of(entry) for entry in page.entries],
        next_cursor=_encode(page.next_cursor) if page.next_cursor else None,
    )


@router.get(
    "/organisations/{partner_id}/clients/{client_id}/billing-export.csv",
    tags=["history"],
    summary="CSV of what a partner was invoiced for a client's products",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
    dependencies=[requires(BILLING["invoices:read"])],
)
async def get_client_billing_export(
    partner_id: UUID, client_id: UUID, caller: CallerDep, uow: UnitOfWorkDep
) -> Response:
    """One row per invoice line the partner paid for the client's products, to re-invoice the client."""
    body = await client_billing_export(uow, caller, partner_id, client_id)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="billing-{client_id}.csv"'},
    )


def _encode(cursor: tuple[datetime, UUID]) -> str:
    at, entry_id = cursor
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{entry_id}".encode()).decode()


def _decode(cursor: str) -> tuple[datetime, UUID]:
    try:
        at, entry_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError("naive")
        return moment, UUID(entry_id)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidInput("cursor is not one this API gave out", cursor=cursor) from error
