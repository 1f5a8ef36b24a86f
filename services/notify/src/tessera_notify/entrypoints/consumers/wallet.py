"""wallet's events: automatic recharges and low balances."""

from tessera_events import CloudEvent
from tessera_events.wallet import LowBalance, RechargeFailed, RechargeSucceeded
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.rules import recharge_stage
from tessera_notify.entrypoints.consumers.registry import HandlerList
from tessera_notify.entrypoints.consumers.rendering import amount_of, cause_of, renderer
from tessera_notify.service_layer.telling import tell_organisation

handlers = HandlerList()


@handlers.on(RechargeSucceeded)
async def tell_of_recharge(event: CloudEvent[RechargeSucceeded], uow: NotifyUnitOfWork) -> None:
    """An automatic recharge was charged and credited."""
    data = event.data
    facts = {
        "amount": amount_of(data.amount),
        "paid": amount_of(data.balance.paid),
        "complimentary": amount_of(data.balance.complimentary),
        "succeeded_at": data.succeeded_at,
    }
    await tell_organisation(uow, renderer, cause_of(event), "wallet_recharged", data.organisation_id, facts)


@handlers.on(RechargeFailed)
async def tell_of_failed_recharge(event: CloudEvent[RechargeFailed], uow: NotifyUnitOfWork) -> None:
    """An automatic recharge failed: retried later, given up, or auto-recharge paused."""
    data = event.data
    facts = {
        "amount": amount_of(data.amount),
        "reason": data.reason,
        "failures_in_a_row": data.failures_in_a_row,
        "next_attempt_at": data.next_attempt_at,
        "stage": recharge_stage(data.paused, data.next_attempt_at).value,
    }
    await tell_organisation(
        uow, renderer, cause_of(event), "wallet_recharge_failed", data.organisation_id, facts
    )


@handlers.on(LowBalance)
async def warn_of_low_balance(event: CloudEvent[LowBalance], uow: NotifyUnitOfWork) -> None:
    """The balance went under its threshold."""
    data = event.data
    facts = {
        "paid": amount_of(data.balance.paid),
        "complimentary": amount_of(data.balance.complimentary),
        "threshold": amount_of(data.threshold),
        "auto_recharge_active": data.auto_recharge_active,
    }
    await tell_organisation(uow, renderer, cause_of(event), "wallet_low_balance", data.organisation_id, facts)
