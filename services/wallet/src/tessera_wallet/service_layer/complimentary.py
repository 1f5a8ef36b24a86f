"""Complimentary credits: a gift from Tessera's operators, kept apart from paid credits."""

from uuid import UUID

from tessera_kit.auth import Caller
from tessera_kit.problems import Conflict, NotFound
from tessera_wallet.adapters.uow import WalletUnitOfWork
from tessera_wallet.domain.ledger import Currency, TransactionKind
from tessera_wallet.domain.wallet import Movement
from tessera_wallet.service_layer import movements
from tessera_wallet.service_layer.access import require_operator


async def grant_complimentary(
    uow: WalletUnitOfWork,
    caller: Caller,
    organisation_id: UUID,
    currency: Currency,
    amount_minor: int,
    grant_id: UUID,
    note: str | None,
) -> tuple[Movement, bool]:
    """An operator adds complimentary credits (opening the wallet if needed); the same grant id twice
    changes nothing. Returns the movement and whether it is new."""
    await require_operator(uow, caller, "grants complimentary credits")
    if not await uow.projections.organisation_known(organisation_id):
        raise NotFound(f"organisation {organisation_id} not found")
    wallet, _ = await uow.wallets.open(organisation_id, currency, uow.clock.now())
    earlier = await uow.wallets.movement(TransactionKind.COMPLIMENTARY, grant_id)
    if earlier is not None:
        if earlier.wallet_id != wallet.id or earlier.amount_minor != amount_minor:
            raise Conflict(f"grant {grant_id} was already made with other details")
        return earlier, False
    movement = await movements.credit(
        uow,
        wallet,
        TransactionKind.COMPLIMENTARY,
        amount_minor,
        grant_id,
        actor_user_id=caller.user_id,
        note=note,
    )
    await uow.commit()
    return movement, True
