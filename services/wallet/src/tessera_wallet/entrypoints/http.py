"""wallet's HTTP API: wallets and balances, top-ups, auto-recharge, receipts, complimentary credits,
usage debits, history, and the operators' ledger check."""

from typing import Annotated, Any, ClassVar
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import AwareDatetime

from tessera_kit.auth import Caller, authenticated_caller
from tessera_kit.permissions import WALLET, requires
from tessera_kit.problems import Conflict, Problem
from tessera_kit.service import runtime_of
from tessera_wallet.adapters.uow import WalletUnitOfWork
from tessera_wallet.domain.charges import ChargeKind
from tessera_wallet.domain.ledger import Currency, TransactionKind
from tessera_wallet.entrypoints.charging import Charger
from tessera_wallet.entrypoints.schemas import (
    AutoRechargeBody,
    ChargeView,
    ComplimentaryBody,
    HistoryView,
    LedgerCheckView,
    MovementView,
    OpenWallet,
    ReceiptsBody,
    TopUpBody,
    TopUpView,
    UsageBody,
    WalletView,
)
from tessera_wallet.service_layer import charges, complimentary, history, ledger_check, wallets
from tessera_wallet.service_layer.usage import Usage, report_usage
from tessera_wallet.service_layer.wallets import AutoRechargeSettings

CallerDep = Annotated[Caller, Depends(authenticated_caller)]
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid access token"},
    403: {"description": "The caller's role does not allow this"},
    404: {"description": "No such wallet, or not one the caller may see"},
}


class PaymentFailed(Problem):
    """The card was not charged."""

    status: ClassVar[int] = 402
    title: ClassVar[str] = "Payment failed"
    slug: ClassVar[str] = "payment-failed"


# async although nothing is awaited: FastAPI runs a plain ``def`` dependency in its thread pool, a
# thread hop on every request.
async def unit_of_work(request: Request) -> WalletUnitOfWork:
    """A fresh unit of work for one request."""
    uow: WalletUnitOfWork = runtime_of(request).unit_of_work()
    return uow


UowDep = Annotated[WalletUnitOfWork, Depends(unit_of_work)]


def build_router(charger: Charger) -> APIRouter:
    """The wallet routes, charging cards through ``charger``."""
    router = APIRouter(tags=["wallet"])
    base = "/v1/organisations/{organisation_id}/wallets"

    @router.get(
        base,
        summary="The organisation's wallets and balances",
        responses=PROBLEMS,
        dependencies=[requires(WALLET["wallets:read"])],
    )
    async def list_wallets(organisation_id: UUID, caller: CallerDep, uow: UowDep) -> list[WalletView]:
        """Paid and complimentary balances of every wallet, at a glance."""
        async with uow:
            found = await wallets.wallets_of(uow, caller, organisation_id)
        return [WalletView.of(wallet) for wallet in found]

    @router.post(
        base,
        status_code=status.HTTP_201_CREATED,
        summary="Open a wallet",
        responses=PROBLEMS,
        dependencies=[requires(WALLET["wallets:write"])],
    )
    async def open_wallet(
        organisation_id: UUID, body: OpenWallet, caller: CallerDep, uow: UowDep, response: Response
    ) -> WalletView:
        """Open the organisation's wallet in a currency (200 with the wallet if it is already open)."""
        async with uow:
            wallet, opened = await wallets.open_wallet(uow, caller, organisation_id, body.currency)
        if not opened:
            response.status_code = status.HTTP_200_OK
        return WalletView.of(wallet)

    @router.get(
        base + "/{currency}",
        summary="One wallet",
        responses=PROBLEMS,
        dependencies=[requires(WALLET["wallets:read"])],
    )
    async def get_wallet(
        organisation_id: UUID, currency: Currency, caller: CallerDep, uow: UowDep
    ) -> WalletView:
        """Balances, auto-recharge settings and receipts choice of one wallet."""
        async with uow:
            wallet, recharge = await wallets.wallet_of(uow, caller, organisation_id, currency)
        return WalletView.of(wallet, recharge_in_progress=recharge is not None)

    @router.put(
        base + "/{currency}/auto-recharge",
        summary="Set auto-recharge",
        responses={**PROBLEMS, 422: {"description": "Settings that cannot work"}},
        dependencies=[requires(WALLET["wallets:write"])],
    )
    async def set_auto_recharge(
        organisation_id: UUID, currency: Currency, body: AutoRechargeBody, caller: CallerDep, uow: UowDep
    ) -> WalletView:
        """Threshold, amount and monthly cap; a balance already under the threshold recharges at once."""
        chosen = AutoRechargeSettings(
            body.enabled, body.threshold_minor, body.amount_minor, body.monthly_cap_minor
        )
        async with uow:
            wallet = await wallets.configure_auto_recharge(uow, caller, organisation_id, currency, chosen)
        return WalletView.of(wallet)

    @router.post(
        base + "/{currency}/auto-recharge/resume",
        summary="Resume auto-recharge",
        responses=PROBLEMS,
        dependencies=[requires(WALLET["wallets:write"])],
    )
    async def resume_auto_recharge(
        organisation_id: UUID, currency: Currency, caller: CallerDep, uow: UowDep
    ) -> WalletView:
        """Lift the pause that declined recharges caused."""
        async with uow:
            wallet = await wallets.resume_auto_recharge(uow, caller, organisation_id, currency)
        return WalletView.of(wallet)

    @router.put(
        base + "/{currency}/receipts",
        summary="Who gets top-up receipts",
        responses=PROBLEMS,
        dependencies=[requires(WALLET["wallets:write"])],
    )
    async def set_receipts(
        organisation_id: UUID, currency: Currency, body: ReceiptsBody, caller: CallerDep, uow: UowDep
    ) -> WalletView:
        """E-mail top-up and recharge receipts to the client too (off by default)."""
        async with uow:
            wallet = await wallets.choose_receipts(uow, caller, organisation_id, currency, body.to_client)
        return WalletView.of(wallet)

    @router.post(
        base + "/{currency}/top-ups",
        status_code=status.HTTP_201_CREATED,
        summary="Add funds",
        responses={
            **PROBLEMS,
            202: {"description": "Stripe has not decided yet; credits come with its webhook"},
            402: {"description": "The card was declined"},
            409: {"description": "No primary card, or the top-up id was used for another top-up"},
        },
        dependencies=[requires(WALLET["top-ups:write"])],
    )
    async def top_up(
        organisation_id: UUID,
        currency: Currency,
        body: TopUpBody,
        caller: CallerDep,
        request: Request,
        response: Response,
    ) -> TopUpView:
        """Charge the primary card; the wallet is credited only once the payment succeeded."""
        make_uow = runtime_of(request).unit_of_work
        async with make_uow() as uow:
            charge, attempt = await charges.claim_top_up(
                uow,
                caller,
                organisation_id,
                currency,
                body.amount_minor,
                body.top_up_id or uuid4(),
                charger.lease,
            )
        if attempt is not None:
            charge = await charger.attempt(make_uow, attempt) or charge
        view = TopUpView.of(charge)
        if view.status == "failed":
            raise PaymentFailed(f"the card was not charged: {view.failure_reason}", top_up_id=str(charge.id))
        if view.status == "pending":
            response.status_code = status.HTTP_202_ACCEPTED
        return view

    @router.get(
        base + "/{currency}/top-ups/{top_up_id}",
        summary="One top-up",
        responses=PROBLEMS,
        dependencies=[requires(WALLET["top-ups:read"])],
    )
    async def get_top_up(
        organisation_id: UUID, currency: Currency, top_up_id: UUID, caller: CallerDep, uow: UowDep
    ) -> TopUpView:
        """Where a top-up's payment stands."""
        async with uow:
            charge = await charges.top_up_of(uow, caller, organisation_id, currency, top_up_id)
        return TopUpView.of(charge)

    @router.get(
        base + "/{currency}/charges",
        summary="Card charges and their attempts",
        responses=PROBLEMS,
        dependencies=[requires(WALLET["top-ups:read"])],
    )
    async def list_charges(
        organisation_id: UUID,
        currency: Currency,
        caller: CallerDep,
        uow: UowDep,
        kind: ChargeKind = ChargeKind.AUTO_RECHARGE,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> list[ChargeView]:
        """Top-ups or automatic recharges, newest first, with failed and pending ones (the history lists
        only money that moved)."""
        async with uow:
            found = await charges.charges_of(uow, caller, organisation_id, currency, kind, limit)
        return [ChargeView.of(charge) for charge in found]

    @router.post(
        base + "/{currency}/complimentary-credits",
        status_code=status.HTTP_201_CREATED,
        summary="Grant complimentary credits (operators)",
        responses={**PROBLEMS, 409: {"description": "The grant id was used with other details"}},
        dependencies=[requires(WALLET["complimentary-credits:write"])],
    )
    async def grant(
        organisation_id: UUID,
        currency: Currency,
        body: ComplimentaryBody,
        caller: CallerDep,
        uow: UowDep,
        response: Response,
    ) -> MovementView:
        """An operator gives credits, kept apart from paid ones (200 when the grant id was already used)."""
        async with uow:
            movement, new = await complimentary.grant_complimentary(
                uow, caller, organisation_id, currency, body.amount_minor, body.grant_id or uuid4(), body.note
            )
        if not new:
            response.status_code = status.HTTP_200_OK
        return MovementView.of(movement)

    @router.post(
        base + "/{currency}/usage",
        status_code=status.HTTP_201_CREATED,
        summary="Debit a usage",
        responses={**PROBLEMS, 409: {"description": "Refused (reason in the problem), or a reused usage id"}},
        dependencies=[requires(WALLET["usage:write"])],
    )
    async def debit(
        organisation_id: UUID,
        currency: Currency,
        body: UsageBody,
        caller: CallerDep,
        uow: UowDep,
        response: Response,
    ) -> MovementView:
        """Pay a usage from the wallet, complimentary credits first; 200 when already debited."""
        usage = Usage(
            body.usage_id, organisation_id, body.kind.value, body.quantity, body.amount_minor, currency
        )
        async with uow:
            outcome = await report_usage(uow, caller, usage)
        if outcome.refusal is not None:
            refusal = outcome.refusal
            raise Conflict(
                f"debit refused: {refusal.reason.value}",
                reason=refusal.reason.value,
                usage_id=str(refusal.usage_id),
                amount_minor=refusal.amount_minor,
                available_minor=refusal.available_minor,
            )
        if outcome.movement is None:
            raise LookupError(f"usage {usage.usage_id} has neither a debit nor a refusal")
        if outcome.repeated:
            response.status_code = status.HTTP_200_OK
        return MovementView.of(outcome.movement)

    @router.get(
        base + "/{currency}/transactions",
        summary="History",
        responses=PROBLEMS,
        dependencies=[requires(WALLET["wallets:read"])],
    )
    async def list_history(
        organisation_id: UUID,
        currency: Currency,
        caller: CallerDep,
        uow: UowDep,
        kind: Annotated[list[TransactionKind] | None, Query()] = None,
        since: Annotated[AwareDatetime | None, Query(alias="from")] = None,
        until: Annotated[AwareDatetime | None, Query(alias="to")] = None,
        cursor: str | None = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> HistoryView:
        """Top-ups, recharges, complimentary credits and debits, newest first; ``from`` inclusive, ``to``
        exclusive; follow ``next_cursor``."""
        query = history.HistoryQuery(frozenset(kind or ()), since, until, cursor, limit)
        async with uow:
            page = await history.history(uow, caller, organisation_id, currency, query)
        return HistoryView(items=[MovementView.of(m) for m in page.movements], next_cursor=page.next_cursor)

    @router.get(
        "/v1/ledger/check",
        summary="Audit the ledger (operators)",
        responses=PROBLEMS,
        dependencies=[requires(WALLET["ledger:read"])],
    )
    async def check(caller: CallerDep, uow: UowDep) -> LedgerCheckView:
        """Every cached balance against the sum of its entries; every transaction sums to zero."""
        async with uow:
            report = await ledger_check.check_ledger_for(uow, caller)
        return LedgerCheckView.of(report)

    return router
