"""Charging cards: right away for a top-up the owner asked for, and as a background job for
automatic recharges, retries and attempts a dead process left unsettled.

The job charges everything due, then sleeps until the next charge falls due; a new charge
(``NOTIFY tessera_wallet_charges``, sent on commit) wakes it at once, and it looks again at least
every ``charge_sweep_seconds`` in case a notification was lost.
"""

from collections.abc import Callable
from datetime import timedelta

from tessera_kit.listening import run_on_notify
from tessera_kit.service import Runtime
from tessera_kit.telemetry import stored_trace, tracer
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

        async def charge_what_is_due() -> float | None:
            await self.charge_everything_due(runtime.unit_of_work)
            return await self._seconds_until_next_due(runtime)

        await run_on_notify(
            runtime.database.url,
            [CHARGES_CHANNEL],
            charge_what_is_due,
            sweep_seconds=self._sweep_seconds,
            name="wallet charges",
        )

    async def charge_everything_due(self, unit_of_work: Callable[[], WalletUnitOfWork]) -> int:
        """Claim and charge due charges until none is left; returns how many attempts were made."""
        made = 0
        while True:
            async with unit_of_work() as uow:
                requests = await charges.claim_due_charges(uow, self.lease)
                causes = await uow.charges.traces_of([request.charge_id for request in requests])
            if not requests:
                return made
            for request in requests:
                # The attempt continues the trace of what caused the charge (a usage, a top-up).
                cause = causes.get(request.charge_id, (None, None))
                with stored_trace(*cause), tracer().start_as_current_span("charge wallet") as span:
                    span.set_attribute("tessera.charge_id", str(request.charge_id))
                    span.set_attribute("tessera.attempt", request.attempt)
                    await self.attempt(unit_of_work, request)
            made += len(requests)

    async def _seconds_until_next_due(self, runtime: Runtime[WalletUnitOfWork]) -> float:
        async with runtime.unit_of_work() as uow:
            due = await uow.charges.next_due_at()
        if due is None:
            return self._sweep_seconds
        wait = (due - runtime.clock.now()).total_seconds()
        return min(max(wait, 0.05), self._sweep_seconds)
