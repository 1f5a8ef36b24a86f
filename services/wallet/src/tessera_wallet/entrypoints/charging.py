"""Charging cards: right away for a top-up the owner asked for, and as a background job for
automatic recharges, retries and attempts a dead process left unsettled.

The job charges everything due, then sleeps until the next charge falls due; a new charge
(``NOTIFY tessera_wallet_charges``, sent on commit) wakes it at once, and it looks again at least
every ``charge_sweep_seconds`` in case a notification was lost.
"""

import asyncio
import contextlib
from collections.abc import Callable
from datetime import timedelta

import asyncpg

from tessera_kit.db import asyncpg_dsn
from tessera_kit.service import Runtime
from tessera_wallet.adapters.repository import CHARGES_CHANNEL
from tessera_wallet.adapters.uow import WalletUnitOfWork
from tessera_wallet.domain.auto_recharge import RechargeRetryPolicy
from tessera_wallet.domain.charges import ChargeRequest
from tessera_wallet.domain.wallet import Charge
from tessera_wallet.service_layer import charges
from tessera_wallet.service_layer.charges import PaymentGateway


class Charger:
    """Charges and settles; shared by the top-up route, the webhook and the background job."""

    def __init__(
        self,
        gateway: PaymentGateway,
        policy: RechargeRetryPolicy,
        lease: timedelta,
        sweep_seconds: float,
        pending_check: timedelta,
    ) -> None:
        self.gateway = gateway
        self.policy = policy
        self.lease = lease
        self.pending_check = pending_check
        self._sweep_seconds = sweep_seconds

    async def attempt(
        self, unit_of_work: Callable[[], WalletUnitOfWork], request: ChargeRequest
    ) -> Charge | None:
        """Charge one attempt (no transaction open), then settle it in its own transaction."""
        outcome = await charges.charge(self.gateway, request)
        async with unit_of_work() as uow:
            return await charges.settle(
                uow, request.charge_id, request.attempt, outcome, self.policy, self.pending_check
            )

    async def charge_due(self, runtime: Runtime[WalletUnitOfWork]) -> None:
        """Background job: charge what is due, then sleep until the next charge is (or a wake-up)."""
        wake = asyncio.Event()
        listener = await asyncpg.connect(asyncpg_dsn(runtime.database.url))
        try:
            await listener.add_listener(CHARGES_CHANNEL, lambda *_: wake.set())
            while True:
                wake.clear()
                await self.charge_everything_due(runtime.unit_of_work)
                pause = await self._seconds_until_next_due(runtime)
                if listener.is_closed():
                    raise ConnectionError("the LISTEN connection closed; restarting the charging job")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=pause)
        finally:
            await listener.close()

    async def charge_everything_due(self, unit_of_work: Callable[[], WalletUnitOfWork]) -> int:
        """Claim and charge due charges until none is left; returns how many attempts were made."""
        made = 0
        while True:
            async with unit_of_work() as uow:
                requests = await charges.claim_due_charges(uow, self.lease)
            if not requests:
                return made
            for request in requests:
                await self.attempt(unit_of_work, request)
            made += len(requests)

    async def _seconds_until_next_due(self, runtime: Runtime[WalletUnitOfWork]) -> float:
        async with runtime.unit_of_work() as uow:
            due = await uow.charges.next_due_at()
        if due is None:
            return self._sweep_seconds
        wait = (due - runtime.clock.now()).total_seconds()
        return min(max(wait, 0.05), self._sweep_seconds)
