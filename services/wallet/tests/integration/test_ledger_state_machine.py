"""A stateful property test of the ledger on real PostgreSQL: whatever sequence of top-ups,
complimentary grants, usage debits, auto-recharges and replays happens, the balance is the sum of the
entries, it matches a model that spends complimentary credits first, it is never negative, and
replaying anything already applied changes nothing (no entry, no event)."""

import asyncio
from collections.abc import Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select, text

from tessera_events.identity import Role
from tessera_kit.auth import Caller
from tessera_kit.db import Database
from tessera_wallet.adapters.orm import EntryRow
from tessera_wallet.adapters.uow import WalletUnitOfWork
from tessera_wallet.domain.auto_recharge import RechargeRetryPolicy
from tessera_wallet.domain.charges import ChargeStatus, PaymentOutcome, PaymentResult
from tessera_wallet.domain.ledger import Balance, Currency
from tessera_wallet.domain.wallet import Wallet
from tessera_wallet.service_layer import charges, complimentary, wallets
from tessera_wallet.service_layer.usage import Usage, debit_usage

pytestmark = pytest.mark.integration
T = TypeVar("T")
LEASE = timedelta(minutes=5)
POLICY = RechargeRetryPolicy(max_failures=2, first_delay=timedelta(0), longest_delay=timedelta(0))
OPERATORS = uuid4()
OPERATOR = Caller(user_id=uuid4(), roles={OPERATORS: Role.ADMINISTRATOR})
amounts = st.integers(min_value=1, max_value=5000)


class LedgerMachine(RuleBasedStateMachine):
    """One organisation's CHF wallet, driven through the service layer on a real database."""

    runner: asyncio.Runner
    database: Database

    def __init__(self) -> None:
        super().__init__()
        self.organisation = uuid4()
        self.owner = Caller(user_id=uuid4(), roles={self.organisation: Role.LEGAL_REPRESENTATIVE})
        self.expected = Balance()
        self.usages: list[Usage] = []
        self.grants: list[tuple[UUID, int]] = []
        self.settled: list[tuple[UUID, int]] = []
        self.wallet_id = self.run(self._open())

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(work)

    def uow(self) -> WalletUnitOfWork:
        return WalletUnitOfWork(self.database, source="/tessera/wallet", operator_organisation_id=OPERATORS)

    async def _open(self) -> UUID:
        async with self.uow() as uow:
            await uow.projections.record_organisation(self.organisation, "Property AG")
            await uow.projections.record_primary_card(
                self.organisation, "cus_property", "pm_card_visa", datetime.now(UTC)
            )
            await uow.commit()
        async with self.uow() as uow:
            wallet, _ = await wallets.open_wallet(uow, self.owner, self.organisation, Currency.CHF)
        return wallet.id

    @rule(amount=amounts)
    def top_up(self, amount: int) -> None:
        async def work() -> ChargeStatus:
            async with self.uow() as uow:
                charge, request = await charges.claim_top_up(
                    uow, self.owner, self.organisation, Currency.CHF, amount, uuid4(), LEASE
                )
            assert request is not None
            async with self.uow() as uow:
                settled = await charges.settle(
                    uow, charge.id, request.attempt, PaymentOutcome(PaymentResult.SUCCEEDED, "pi_x"), POLICY
                )
            assert settled is not None
            self.settled.append((charge.id, request.attempt))
            return settled.status

        assert self.run(work()) is ChargeStatus.SUCCEEDED
        self.expected = Balance(self.expected.paid + amount, self.expected.complimentary)

    @rule(amount=amounts)
    def grant(self, amount: int) -> None:
        grant_id = uuid4()
        self.run(self._grant(grant_id, amount))
        self.grants.append((grant_id, amount))
        self.expected = Balance(self.expected.paid, self.expected.complimentary + amount)

    async def _grant(self, grant_id: UUID, amount: int) -> bool:
        async with self.uow() as uow:
            _, new = await complimentary.grant_complimentary(
                uow, OPERATOR, self.organisation, Currency.CHF, amount, grant_id, None
            )
        return new

    @rule(amount=st.integers(min_value=1, max_value=8000))
    def use(self, amount: int) -> None:
        usage = Usage(uuid4(), self.organisation, "sms", 1, amount, Currency.CHF)
        outcome = self.run(self._debit(usage))
        self.usages.append(usage)
        if amount > self.expected.total:
            assert outcome.refusal is not None
            assert outcome.refusal.available_minor == self.expected.total
            return
        assert outcome.movement is not None
        from_complimentary = min(self.expected.complimentary, amount)
        assert -outcome.movement.complimentary_change_minor == from_complimentary
        self.expected = Balance(
            self.expected.paid - (amount - from_complimentary),
            self.expected.complimentary - from_complimentary,
        )

    async def _debit(self, usage: Usage) -> Any:
        async with self.uow() as uow:
            outcome = await debit_usage(uow, usage)
            await uow.commit()
        return outcome

    @rule(threshold=st.integers(0, 3000), amount=amounts, enabled=st.booleans())
    def configure_auto_recharge(self, threshold: int, amount: int, enabled: bool) -> None:
        async def work() -> Wallet:
            async with self.uow() as uow:
                return await wallets.configure_auto_recharge(
                    uow,
                    self.owner,
                    self.organisation,
                    Currency.CHF,
                    wallets.AutoRechargeSettings(enabled, threshold, amount, None),
                )

        self.run(work())

    @rule(result=st.sampled_from([PaymentResult.SUCCEEDED, PaymentResult.DECLINED]))
    def charging_job_runs(self, result: PaymentResult) -> None:
        async def work() -> None:
            async with self.uow() as uow:
                requests = await charges.claim_due_charges(uow, LEASE)
            for request in requests:
                if request.wallet_id != self.wallet_id:
                    continue
                async with self.uow() as uow:
                    settled = await charges.settle(
                        uow,
                        request.charge_id,
                        request.attempt,
                        PaymentOutcome(result, "pi_r", "declined"),
                        POLICY,
                    )
                assert settled is not None
                if settled.status is ChargeStatus.SUCCEEDED:
                    self.settled.append((settled.id, request.attempt))
                    self.expected = Balance(
                        self.expected.paid + settled.amount_minor, self.expected.complimentary
                    )

        self.run(work())

    @precondition(lambda self: self.usages)
    @rule(data=st.data())
    def replay_a_usage(self, data: st.DataObject) -> None:
        self.replay_changes_nothing([data.draw(st.sampled_from(self.usages))], [], [])

    @precondition(lambda self: self.grants or self.settled)
    @rule(data=st.data())
    def replay_a_credit(self, data: st.DataObject) -> None:
        grants = [data.draw(st.sampled_from(self.grants))] if self.grants else []
        settled = [data.draw(st.sampled_from(self.settled))] if self.settled else []
        self.replay_changes_nothing([], grants, settled)

    def replay_changes_nothing(
        self, usages: list[Usage], grants: list[tuple[UUID, int]], settled: list[tuple[UUID, int]]
    ) -> None:
        before = self.run(self._footprint())
        for usage in usages:
            assert self.run(self._debit(usage)).repeated
        for grant_id, amount in grants:
            assert self.run(self._grant(grant_id, amount)) is False
        for charge_id, attempt in settled:
            self.run(self._settle_again(charge_id, attempt))
        assert self.run(self._footprint()) == before

    async def _settle_again(self, charge_id: UUID, attempt: int) -> None:
        async with self.uow() as uow:
            await charges.settle(
                uow, charge_id, attempt, PaymentOutcome(PaymentResult.SUCCEEDED, "pi_y"), POLICY
            )

    async def _footprint(self) -> tuple[int, int, Balance]:
        """Entries of this wallet, events in the outbox, and the cached balance."""
        async with self.uow() as uow:
            entries = await uow.session.scalar(
                select(func.count()).select_from(EntryRow).where(EntryRow.wallet_id == self.wallet_id)
            )
            events = await uow.session.scalar(text("SELECT count(*) FROM tessera_outbox"))
            wallet = await uow.wallets.by_id(self.wallet_id)
        assert wallet is not None
        return int(entries or 0), int(events or 0), wallet.balance

    @invariant()
    def balance_is_the_sum_of_the_entries_and_never_negative(self) -> None:
        async def balances() -> tuple[Balance, Balance]:
            async with self.uow() as uow:
                wallet = await uow.wallets.by_id(self.wallet_id)
                summed = await uow.wallets.balances_from_entries([self.wallet_id])
            assert wallet is not None
            return wallet.balance, summed.get(self.wallet_id, Balance())

        cached, summed = self.run(balances())
        assert cached == summed == self.expected
        assert cached.paid >= 0
        assert cached.complimentary >= 0

    def teardown(self) -> None:
        self.replay_changes_nothing(self.usages, self.grants, self.settled)


@pytest.fixture
def machine(wallet_database: str) -> Iterator[type[LedgerMachine]]:
    """The state machine bound to a database and an event loop of its own (hypothesis drives it
    synchronously)."""
    with asyncio.Runner() as runner:
        LedgerMachine.runner = runner
        LedgerMachine.database = Database(wallet_database, pool_size=2)
        yield LedgerMachine
        runner.run(LedgerMachine.database.dispose())


def test_the_ledger_stays_balanced_and_replays_change_nothing(machine: type[LedgerMachine]) -> None:
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
