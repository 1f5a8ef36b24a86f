"""Usage debits: another service used something billable; the wallet pays for it once per usage id.

Each usage id has exactly one outcome, debited or refused, kept forever: the same usage reported
again (a redelivered event, a retried API call) returns that outcome and changes nothing. A refused
usage stays refused; to try again after adding funds, report it under a new usage id.
"""

from dataclasses import dataclass
from uuid import UUID

from tessera_events import wallet as events
from tessera_kit.auth import Caller
from tessera_kit.problems import Conflict
from tessera_wallet.adapters.orm import RefusalRow
from tessera_wallet.adapters.uow import WalletUnitOfWork
from tessera_wallet.domain import ledger
from tessera_wallet.domain.errors import InsufficientCredits
from tessera_wallet.domain.ledger import Currency, TransactionKind
from tessera_wallet.domain.wallet import Movement, Wallet
from tessera_wallet.service_layer import movements
from tessera_wallet.service_layer.access import permission
from tessera_wallet.service_layer.contracts import balance, money


@dataclass(frozen=True)
class Usage:
    """Something billable an organisation used."""

    usage_id: UUID
    organisation_id: UUID
    kind: str
    quantity: int
    amount_minor: int
    currency: Currency


@dataclass(frozen=True)
class Refusal:
    """Why a usage was not debited."""

    usage_id: UUID
    wallet_id: UUID | None
    reason: events.DebitRefusalReason
    amount_minor: int
    available_minor: int | None


@dataclass(frozen=True)
class DebitOutcome:
    """What became of a usage: a movement or a refusal, and whether it was decided earlier."""

    movement: Movement | None = None
    refusal: Refusal | None = None
    repeated: bool = False


async def debit_usage(uow: WalletUnitOfWork, usage: Usage) -> DebitOutcome:
    """Debit a usage from the organisation's wallet in its currency, or refuse it (DebitRefused)."""
    wallet = await uow.wallets.get(usage.organisation_id, usage.currency, for_update=True)
    earlier = await _earlier_outcome(uow, usage.usage_id)
    if earlier is not None:
        return earlier
    if wallet is None:
        others = await uow.wallets.of_organisation(usage.organisation_id)
        reason = (
            events.DebitRefusalReason.CURRENCY_MISMATCH if others else events.DebitRefusalReason.NO_WALLET
        )
        return await _refuse(uow, usage, others[0] if others else None, reason, None)
    before = wallet.balance
    try:
        transaction = ledger.debit(before, usage.amount_minor)
    except InsufficientCredits as refused:
        outcome = await _refuse(
            uow, usage, wallet, events.DebitRefusalReason.INSUFFICIENT_CREDITS, refused.available_minor
        )
        await movements.schedule_recharge_if_due(uow, wallet)
        return outcome
    movement = await movements.record(
        uow, wallet, transaction, usage.usage_id, usage_kind=usage.kind, usage_quantity=usage.quantity
    )
    uow.emit(
        events.WalletDebited(
            wallet_id=wallet.id,
            organisation_id=wallet.organisation_id,
            usage_id=usage.usage_id,
            usage_kind=events.UsageKind(usage.kind),
            amount=money(usage.amount_minor, wallet.currency),
            from_complimentary=money(-movement.complimentary_change_minor, wallet.currency),
            from_paid=money(-movement.paid_change_minor, wallet.currency),
            balance=balance(movement.balance_after, wallet.currency),
            debited_at=movement.recorded_at,
        )
    )
    await movements.after_balance_fell(uow, wallet, before)
    return DebitOutcome(movement=movement)


async def _earlier_outcome(uow: WalletUnitOfWork, usage_id: UUID) -> DebitOutcome | None:
    movement = await uow.wallets.movement(TransactionKind.DEBIT, usage_id)
    if movement is not None:
        return DebitOutcome(movement=movement, repeated=True)
    row = await uow.refusals.get(usage_id)
    if row is None:
        return None
    refusal = Refusal(
        usage_id=row.usage_id,
        wallet_id=row.wallet_id,
        reason=events.DebitRefusalReason(row.reason),
        amount_minor=row.amount_minor,
        available_minor=row.available_minor,
    )
    return DebitOutcome(refusal=refusal, repeated=True)


async def _refuse(
    uow: WalletUnitOfWork,
    usage: Usage,
    wallet: Wallet | None,
    reason: events.DebitRefusalReason,
    available_minor: int | None,
) -> DebitOutcome:
    now = uow.clock.now()
    refusal = Refusal(
        usage.usage_id, wallet.id if wallet else None, reason, usage.amount_minor, available_minor
    )
    first = await uow.refusals.add(
        RefusalRow(
            usage_id=usage.usage_id,
            organisation_id=usage.organisation_id,
            wallet_id=refusal.wallet_id,
            amount_minor=usage.amount_minor,
            currency=usage.currency.value,
            reason=reason.value,
            available_minor=available_minor,
            refused_at=now,
        )
    )
    if not first:
        # The same usage, without a wallet to lock, was refused concurrently: that refusal stands.
        return await _earlier_outcome(uow, usage.usage_id) or DebitOutcome(refusal=refusal, repeated=True)
    uow.emit(
        events.DebitRefused(
            wallet_id=refusal.wallet_id,
            organisation_id=usage.organisation_id,
            usage_id=usage.usage_id,
            amount=money(usage.amount_minor, usage.currency),
            reason=reason,
            available=None if available_minor is None else money(available_minor, usage.currency),
            refused_at=now,
        ),
        occurred_at=now,
    )
    return DebitOutcome(refusal=refusal)


async def report_usage(uow: WalletUnitOfWork, caller: Caller, usage: Usage) -> DebitOutcome:
    """Usage reported through the API by someone who may see the organisation's wallet.

    A usage id already decided with other details (organisation, price) is a Conflict, not a repeat.
    """
    await permission(uow, caller, usage.organisation_id, manage=True, now=uow.clock.now())
    outcome = await debit_usage(uow, usage)
    if outcome.repeated and not await _same_usage(uow, usage, outcome):
        raise Conflict(f"usage {usage.usage_id} was already reported with other details")
    await uow.commit()
    return outcome


async def _same_usage(uow: WalletUnitOfWork, usage: Usage, outcome: DebitOutcome) -> bool:
    if outcome.movement is not None:
        wallet = await uow.wallets.by_id(outcome.movement.wallet_id)
        return (
            wallet is not None
            and wallet.organisation_id == usage.organisation_id
            and wallet.currency is usage.currency
            and outcome.movement.amount_minor == usage.amount_minor
        )
    row = await uow.refusals.get(usage.usage_id)
    return (
        row is not None
        and row.organisation_id == usage.organisation_id
        and row.currency == usage.currency.value
        and row.amount_minor == usage.amount_minor
    )
