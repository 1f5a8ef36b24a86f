"""Moving credits on a locked wallet, with the events each movement causes.

Callers hold the wallet's row lock (``wallets.get(..., for_update=True)``) for the whole
transaction: balances, the low-balance check and the decision to recharge all read the same,
settled state, so concurrent debits line up one after another on the wallet.
"""

from dataclasses import replace
from uuid import UUID, uuid4

from tessera_events import wallet as events
from tessera_wallet.adapters.uow import WalletUnitOfWork
from tessera_wallet.domain import ledger
from tessera_wallet.domain.auto_recharge import month_start
from tessera_wallet.domain.charges import ChargeKind, ChargeStatus
from tessera_wallet.domain.ledger import Account, Balance, LedgerTransaction, TransactionKind
from tessera_wallet.domain.wallet import Charge, Movement, Wallet
from tessera_wallet.service_layer.contracts import balance, money


async def record(
    uow: WalletUnitOfWork,
    wallet: Wallet,
    transaction: LedgerTransaction,
    reference_id: UUID,
    *,
    actor_user_id: UUID | None = None,
    usage_kind: str | None = None,
    usage_quantity: int | None = None,
    note: str | None = None,
) -> Movement:
    """Write a transaction to the wallet's ledger; the wallet's balance follows."""
    movement = Movement(
        id=uuid4(),
        wallet_id=wallet.id,
        kind=transaction.kind,
        reference_id=reference_id,
        amount_minor=transaction.amount_minor,
        complimentary_change_minor=transaction.change(Account.COMPLIMENTARY),
        paid_change_minor=transaction.change(Account.PAID),
        balance_after=wallet.balance.after(transaction),
        recorded_at=uow.clock.now(),
        usage_kind=usage_kind,
        usage_quantity=usage_quantity,
        actor_user_id=actor_user_id,
        note=note,
    )
    await uow.wallets.record(wallet, transaction, movement)
    return movement


async def credit(
    uow: WalletUnitOfWork,
    wallet: Wallet,
    kind: TransactionKind,
    amount_minor: int,
    reference_id: UUID,
    *,
    actor_user_id: UUID | None,
    note: str | None = None,
) -> Movement:
    """Add paid or complimentary credits, and say so (WalletCredited)."""
    movement = await record(
        uow, wallet, ledger.credit(kind, amount_minor), reference_id, actor_user_id=actor_user_id, note=note
    )
    uow.emit(
        events.WalletCredited(
            wallet_id=wallet.id,
            organisation_id=wallet.organisation_id,
            entry_id=movement.id,
            kind=events.CreditKind(kind.value),
            amount=money(amount_minor, wallet.currency),
            balance=balance(movement.balance_after, wallet.currency),
            credited_by_user_id=actor_user_id,
            credited_at=movement.recorded_at,
            receipt_to_client=None if kind is TransactionKind.COMPLIMENTARY else wallet.receipts_to_client,
        )
    )
    return movement


async def after_balance_fell(uow: WalletUnitOfWork, wallet: Wallet, before: Balance) -> None:
    """Say when the balance crossed under the threshold, and charge a recharge when one is due."""
    rule = wallet.auto_recharge
    if rule.crossed_under(before, wallet.balance) and rule.threshold_minor is not None:
        uow.emit(
            events.LowBalance(
                wallet_id=wallet.id,
                organisation_id=wallet.organisation_id,
                balance=balance(wallet.balance, wallet.currency),
                threshold=money(rule.threshold_minor, wallet.currency),
                auto_recharge_active=rule.active,
                noticed_at=uow.clock.now(),
            )
        )
    await schedule_recharge_if_due(uow, wallet)


async def schedule_recharge_if_due(uow: WalletUnitOfWork, wallet: Wallet) -> Charge | None:
    """Open an automatic recharge, due now, when the rules call for one (see domain.auto_recharge).

    The wallet's row lock makes the check and the insert one step; the unique index on open
    recharges is the database's own guarantee of at most one.
    """
    now = uow.clock.now()
    open_recharge = await uow.charges.open_recharge(wallet.id)
    recharged = await uow.charges.recharged_since(wallet.id, month_start(now))
    rule = wallet.auto_recharge
    if rule.amount_minor is None or not rule.recharge_due(
        wallet.balance, open_recharge=open_recharge is not None, recharged_this_month_minor=recharged
    ):
        return None
    charge = Charge(
        id=uuid4(),
        wallet_id=wallet.id,
        kind=ChargeKind.AUTO_RECHARGE,
        amount_minor=rule.amount_minor,
        status=ChargeStatus.DUE,
        created_at=now,
        next_attempt_at=now,
    )
    await uow.charges.add(charge)
    return charge


async def reset_failures(uow: WalletUnitOfWork, wallet: Wallet) -> None:
    """A recharge went through: the count of declines in a row starts again."""
    if wallet.auto_recharge.failures_in_a_row:
        wallet.auto_recharge = replace(wallet.auto_recharge, failures_in_a_row=0)
        await uow.wallets.save_settings(wallet)
