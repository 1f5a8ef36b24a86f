"""Card charges: top-ups the owner asks for and automatic recharges, charged outside any transaction.

A charge goes through three steps, never holding a database transaction while Stripe answers:

1. *claim* (one transaction): the attempt is counted and leased (``charging``), with the card to
   charge; a top-up is claimed when the owner asks for it, a recharge by the charging job;
2. *charge* (no transaction): Stripe is asked, with an idempotency key derived from the charge id
   and the attempt number;
3. *settle* (one transaction, the wallet locked): credits appear only when the payment succeeded;
   ``pending`` waits for Stripe's webhook; a declined recharge is retried later or pauses
   auto-recharge (RechargeFailed each time); Stripe being unreachable changes nothing: the lease
   expires and the same attempt is made again with the same key, so the card is never charged twice.
"""

from dataclasses import replace
from datetime import timedelta
from typing import Protocol
from uuid import UUID

from tessera_events import wallet as events
from tessera_kit.auth import Caller
from tessera_kit.problems import Conflict, NotFound
from tessera_wallet.adapters.uow import WalletUnitOfWork
from tessera_wallet.domain.auto_recharge import RechargeRetryPolicy
from tessera_wallet.domain.charges import (
    ChargeKind,
    ChargeRequest,
    ChargeStatus,
    PaymentOutcome,
    PaymentResult,
)
from tessera_wallet.domain.ledger import Currency, TransactionKind
from tessera_wallet.domain.wallet import Charge, Wallet
from tessera_wallet.service_layer import movements
from tessera_wallet.service_layer.access import permission, require_card_charge
from tessera_wallet.service_layer.contracts import balance, money

NO_CARD = "no_primary_card: the organisation has no primary card to charge"


class PaymentGateway(Protocol):
    """Charges a card (Stripe in production)."""

    async def charge(self, request: ChargeRequest) -> PaymentOutcome:
        """Charge the request's card once per idempotency key, and say what happened."""
        ...

    async def status(self, payment_intent_id: str) -> PaymentOutcome:
        """How a payment Stripe had not decided stands now."""
        ...


async def claim_top_up(
    uow: WalletUnitOfWork,
    caller: Caller,
    organisation_id: UUID,
    currency: Currency,
    amount_minor: int,
    top_up_id: UUID,
    lease: timedelta,
) -> tuple[Charge, ChargeRequest | None]:
    """Step 1 of a top-up: record it and lease its first attempt. The same top-up id again returns the
    charge as it stands (and nothing to charge)."""
    found = await permission(uow, caller, organisation_id, manage=True, now=uow.clock.now())
    now = uow.clock.now()
    wallet, _ = await uow.wallets.open(organisation_id, currency, now)
    earlier = await uow.charges.get(top_up_id)
    if earlier is not None:
        if earlier.wallet_id != wallet.id:
            # Another wallet's (perhaps another organisation's): as unknown here as it is to GET.
            raise NotFound(f"top-up {top_up_id} not found")
        if (earlier.kind, earlier.amount_minor) != (ChargeKind.TOP_UP, amount_minor):
            raise Conflict(f"top-up {top_up_id} was already asked for with other details")
        return earlier, None
    await require_card_charge(uow, found, wallet.id, amount_minor, now)
    card = await uow.projections.primary_card(organisation_id)
    if card is None:
        raise Conflict("the organisation has no primary card: add one in billing first")
    charge = Charge(
        id=top_up_id,
        wallet_id=wallet.id,
        kind=ChargeKind.TOP_UP,
        amount_minor=amount_minor,
        status=ChargeStatus.CHARGING,
        created_at=now,
        attempts=1,
        lease_until=now + lease,
        stripe_customer_id=card.stripe_customer_id,
        payment_method_id=card.payment_method_id,
        requested_by_user_id=caller.user_id,
        on_behalf_of_partner_id=found.acting_organisation_id if found.as_partner else None,
    )
    await uow.charges.add(charge)
    await uow.commit()
    return charge, _request(charge, wallet)


async def claim_due_charges(uow: WalletUnitOfWork, lease: timedelta, limit: int = 5) -> list[ChargeRequest]:
    """Step 1 for the charging job: lease what is due. A due charge gets a new attempt, on the
    organisation's current primary card; a charge whose lease expired is attempted again as it was."""
    now = uow.clock.now()
    requests = []
    for charge in await uow.charges.claim_due(now, limit):
        wallet = await uow.wallets.by_id(charge.wallet_id)
        if wallet is None:
            raise LookupError(f"wallet {charge.wallet_id} vanished")
        if charge.status is ChargeStatus.PENDING:
            # Asked about, not charged: the lease only keeps other replicas from asking too.
            charge.next_attempt_at = now + lease
            await uow.charges.save(charge)
            requests.append(_request(charge, wallet))
            continue
        if charge.status is ChargeStatus.DUE:
            card = await uow.projections.primary_card(wallet.organisation_id)
            charge.attempts += 1
            charge.stripe_customer_id = card.stripe_customer_id if card else None
            charge.payment_method_id = card.payment_method_id if card else None
        charge.status = ChargeStatus.CHARGING
        charge.lease_until = now + lease
        await uow.charges.save(charge)
        requests.append(_request(charge, wallet))
    await uow.commit()
    return requests


async def charge(gateway: PaymentGateway, request: ChargeRequest) -> PaymentOutcome:
    """Step 2: ask Stripe (to charge, or how a pending payment stands), unless there is no card to charge
    (a decline without asking)."""
    if request.payment_intent_id is not None:
        return await gateway.status(request.payment_intent_id)
    if request.customer_id is None or request.payment_method_id is None:
        return PaymentOutcome(PaymentResult.DECLINED, reason=NO_CARD)
    return await gateway.charge(request)


async def settle(
    uow: WalletUnitOfWork,
    charge_id: UUID,
    attempt: int,
    outcome: PaymentOutcome,
    policy: RechargeRetryPolicy,
    pending_check: timedelta = timedelta(hours=1),
) -> Charge | None:
    """Step 3: record what Stripe answered to one attempt. An answer to an attempt already settled
    (a repeated webhook, a late reply) changes nothing; returns the charge as it stands."""
    found = await uow.charges.get(charge_id)
    if found is None:
        return None
    wallet = await uow.wallets.by_id(found.wallet_id, for_update=True)
    charge = await uow.charges.get(charge_id, for_update=True)
    if wallet is None or charge is None:
        raise LookupError(f"charge {charge_id} or its wallet vanished")
    if charge.attempts != attempt or charge.status not in (ChargeStatus.CHARGING, ChargeStatus.PENDING):
        return charge
    charge.payment_intent_id = outcome.payment_intent_id or charge.payment_intent_id
    if outcome.result is PaymentResult.SUCCEEDED:
        await _succeeded(uow, wallet, charge)
    elif outcome.result is PaymentResult.PENDING:
        charge.status = ChargeStatus.PENDING
        charge.lease_until = None
        charge.next_attempt_at = uow.clock.now() + pending_check
    elif outcome.result is PaymentResult.DECLINED:
        await _declined(uow, wallet, charge, outcome.reason or "declined", policy)
    else:
        charge.last_error = outcome.reason
    await uow.charges.save(charge)
    await uow.commit()
    return charge


async def _succeeded(uow: WalletUnitOfWork, wallet: Wallet, charge: Charge) -> None:
    now = uow.clock.now()
    charge.status = ChargeStatus.SUCCEEDED
    charge.settled_at = now
    charge.lease_until = None
    charge.last_error = None
    kind = TransactionKind.TOP_UP if charge.kind is ChargeKind.TOP_UP else TransactionKind.AUTO_RECHARGE
    movement = await movements.credit(
        uow, wallet, kind, charge.amount_minor, charge.id, actor_user_id=charge.requested_by_user_id
    )
    if charge.kind is ChargeKind.AUTO_RECHARGE:
        await movements.reset_failures(uow, wallet)
        uow.emit(
            events.RechargeSucceeded(
                wallet_id=wallet.id,
                organisation_id=wallet.organisation_id,
                recharge_id=charge.id,
                amount=money(charge.amount_minor, wallet.currency),
                balance=balance(movement.balance_after, wallet.currency),
                succeeded_at=now,
            )
        )


async def _declined(
    uow: WalletUnitOfWork, wallet: Wallet, charge: Charge, reason: str, policy: RechargeRetryPolicy
) -> None:
    now = uow.clock.now()
    charge.last_error = reason
    charge.lease_until = None
    if charge.kind is ChargeKind.TOP_UP:
        charge.status = ChargeStatus.FAILED
        charge.settled_at = now
        return
    failure = policy.after_decline(wallet.auto_recharge.failures_in_a_row, now)
    wallet.auto_recharge = replace(
        wallet.auto_recharge, failures_in_a_row=failure.failures_in_a_row, paused=failure.paused
    )
    await uow.wallets.save_settings(wallet)
    if failure.paused:
        charge.status = ChargeStatus.FAILED
        charge.settled_at = now
    else:
        charge.status = ChargeStatus.DUE
        charge.next_attempt_at = failure.next_attempt_at
    uow.emit(
        events.RechargeFailed(
            wallet_id=wallet.id,
            organisation_id=wallet.organisation_id,
            recharge_id=charge.id,
            amount=money(charge.amount_minor, wallet.currency),
            reason=reason,
            failures_in_a_row=failure.failures_in_a_row,
            next_attempt_at=failure.next_attempt_at,
            paused=failure.paused,
            failed_at=now,
        )
    )


def _request(charge: Charge, wallet: Wallet) -> ChargeRequest:
    return ChargeRequest(
        charge_id=charge.id,
        kind=charge.kind,
        attempt=charge.attempts,
        wallet_id=wallet.id,
        organisation_id=wallet.organisation_id,
        amount_minor=charge.amount_minor,
        currency=wallet.currency,
        customer_id=charge.stripe_customer_id,
        payment_method_id=charge.payment_method_id,
        payment_intent_id=charge.payment_intent_id if charge.status is ChargeStatus.PENDING else None,
    )


async def top_up_of(
    uow: WalletUnitOfWork, caller: Caller, organisation_id: UUID, currency: Currency, top_up_id: UUID
) -> Charge:
    """A top-up of the organisation's wallet; NotFound for anything else."""
    await permission(uow, caller, organisation_id, manage=False, now=uow.clock.now())
    wallet = await uow.wallets.get(organisation_id, currency)
    charge = await uow.charges.get(top_up_id)
    if (
        wallet is None
        or charge is None
        or charge.wallet_id != wallet.id
        or charge.kind is not ChargeKind.TOP_UP
    ):
        raise NotFound(f"top-up {top_up_id} not found")
    return charge


async def charges_of(
    uow: WalletUnitOfWork,
    caller: Caller,
    organisation_id: UUID,
    currency: Currency,
    kind: ChargeKind,
    limit: int,
) -> list[Charge]:
    """The wallet's latest top-ups or recharges, failed and pending ones included, newest first."""
    await permission(uow, caller, organisation_id, manage=False, now=uow.clock.now())
    wallet = await uow.wallets.get(organisation_id, currency)
    if wallet is None:
        raise NotFound(f"organisation {organisation_id} has no {currency} wallet")
    return await uow.charges.of_wallet(wallet.id, kind, limit)
