"""Every query wallet makes on its wallets, ledger and charges."""

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import func, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tessera_kit.telemetry import current_trace_headers
from tessera_wallet.adapters.orm import ChargeRow, EntryRow, RefusalRow, TransactionRow, WalletRow
from tessera_wallet.domain.auto_recharge import AutoRecharge
from tessera_wallet.domain.charges import OPEN_STATUSES, ChargeKind, ChargeStatus
from tessera_wallet.domain.ledger import (
    SPENDABLE,
    Account,
    Balance,
    Currency,
    LedgerTransaction,
    TransactionKind,
)
from tessera_wallet.domain.wallet import Charge, Movement, Wallet

CHARGES_CHANNEL = "tessera_wallet_charges"


class WalletRepository:
    """Wallets and their ledgers."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(
        self, organisation_id: UUID, currency: Currency, *, for_update: bool = False
    ) -> Wallet | None:
        """An organisation's wallet in a currency; locked until the transaction ends if asked."""
        query = select(WalletRow).where(
            WalletRow.organisation_id == organisation_id, WalletRow.currency == currency.value
        )
        row = await self._session.scalar(query.with_for_update() if for_update else query)
        return None if row is None else _wallet(row)

    async def by_id(self, wallet_id: UUID, *, for_update: bool = False) -> Wallet | None:
        """A wallet by its id; locked until the transaction ends if asked."""
        query = select(WalletRow).where(WalletRow.id == wallet_id)
        row = await self._session.scalar(query.with_for_update() if for_update else query)
        return None if row is None else _wallet(row)

    async def of_organisation(self, organisation_id: UUID) -> list[Wallet]:
        """An organisation's wallets, by currency."""
        rows = await self._session.scalars(
            select(WalletRow).where(WalletRow.organisation_id == organisation_id).order_by(WalletRow.currency)
        )
        return [_wallet(row) for row in rows]

    async def open(self, organisation_id: UUID, currency: Currency, now: datetime) -> tuple[Wallet, bool]:
        """The organisation's wallet in the currency, opened if missing and locked until the transaction
        ends; True when just opened."""
        inserted = await self._session.scalar(
            insert(WalletRow)
            .values(
                id=uuid4(),
                organisation_id=organisation_id,
                currency=currency.value,
                paid_minor=0,
                complimentary_minor=0,
                receipts_to_client=False,
                auto_recharge_enabled=False,
                auto_recharge_paused=False,
                recharge_failures_in_a_row=0,
                opened_at=now,
            )
            .on_conflict_do_nothing()
            .returning(WalletRow.id)
        )
        wallet = await self.get(organisation_id, currency, for_update=True)
        if wallet is None:
            raise LookupError(f"wallet of {organisation_id} in {currency} vanished")
        return wallet, inserted is not None

    async def save_settings(self, wallet: Wallet) -> None:
        """Persist the wallet's auto-recharge settings and receipt choice."""
        row = await self._session.get(WalletRow, wallet.id)
        if row is None:
            raise LookupError(f"wallet {wallet.id} vanished")
        rule = wallet.auto_recharge
        row.threshold_minor = rule.threshold_minor
        row.recharge_amount_minor = rule.amount_minor
        row.monthly_cap_minor = rule.monthly_cap_minor
        row.auto_recharge_enabled = rule.enabled
        row.auto_recharge_paused = rule.paused
        row.recharge_failures_in_a_row = rule.failures_in_a_row
        row.receipts_to_client = wallet.receipts_to_client
        await self._session.flush()

    async def record(self, wallet: Wallet, transaction: LedgerTransaction, movement: Movement) -> None:
        """Write a transaction's entries and its history line, and cache the new balance on the wallet."""
        self._session.add(
            TransactionRow(
                id=movement.id,
                wallet_id=wallet.id,
                kind=movement.kind.value,
                reference_id=movement.reference_id,
                amount_minor=movement.amount_minor,
                complimentary_change_minor=movement.complimentary_change_minor,
                paid_change_minor=movement.paid_change_minor,
                paid_after_minor=movement.balance_after.paid,
                complimentary_after_minor=movement.balance_after.complimentary,
                usage_kind=movement.usage_kind,
                usage_quantity=movement.usage_quantity,
                actor_user_id=movement.actor_user_id,
                note=movement.note,
                recorded_at=movement.recorded_at,
            )
        )
        await self._session.flush()
        self._session.add_all(
            EntryRow(
                transaction_id=movement.id,
                wallet_id=wallet.id,
                account=posting.account.value,
                amount_minor=posting.amount_minor,
            )
            for posting in transaction.postings
        )
        row = await self._session.get(WalletRow, wallet.id)
        if row is None:
            raise LookupError(f"wallet {wallet.id} vanished")
        row.paid_minor = movement.balance_after.paid
        row.complimentary_minor = movement.balance_after.complimentary
        await self._session.flush()
        wallet.balance = movement.balance_after

    async def movement(self, kind: TransactionKind, reference_id: UUID) -> Movement | None:
        """The movement a usage, charge or grant already caused, if any."""
        row = await self._session.scalar(
            select(TransactionRow).where(
                TransactionRow.kind == kind.value, TransactionRow.reference_id == reference_id
            )
        )
        return None if row is None else _movement(row)

    async def history(
        self,
        wallet_id: UUID,
        *,
        kinds: frozenset[TransactionKind],
        since: datetime | None,
        until: datetime | None,
        before: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[Movement]:
        """A page of a wallet's movements, newest first, older than the ``before`` cursor."""
        query = select(TransactionRow).where(TransactionRow.wallet_id == wallet_id)
        if kinds:
            query = query.where(TransactionRow.kind.in_([kind.value for kind in kinds]))
        if since is not None:
            query = query.where(TransactionRow.recorded_at >= since)
        if until is not None:
            query = query.where(TransactionRow.recorded_at < until)
        if before is not None:
            query = query.where(tuple_(TransactionRow.recorded_at, TransactionRow.id) < tuple_(*before))
        rows = await self._session.scalars(
            query.order_by(TransactionRow.recorded_at.desc(), TransactionRow.id.desc()).limit(limit)
        )
        return [_movement(row) for row in rows]

    async def balances_from_entries(self, wallet_ids: list[UUID] | None = None) -> dict[UUID, Balance]:
        """Each wallet's balance summed from its ledger entries (not from the cache)."""
        query = (
            select(EntryRow.wallet_id, EntryRow.account, func.sum(EntryRow.amount_minor))
            .where(EntryRow.account.in_([account.value for account in SPENDABLE]))
            .group_by(EntryRow.wallet_id, EntryRow.account)
        )
        if wallet_ids is not None:
            query = query.where(EntryRow.wallet_id.in_(wallet_ids))
        sums: dict[UUID, dict[str, int]] = {}
        for wallet_id, account, total in await self._session.execute(query):
            sums.setdefault(wallet_id, {})[account] = int(total)
        return {
            wallet_id: Balance(
                paid=by_account.get(Account.PAID.value, 0),
                complimentary=by_account.get(Account.COMPLIMENTARY.value, 0),
            )
            for wallet_id, by_account in sums.items()
        }

    async def cached_balances(self) -> dict[UUID, Balance]:
        """Every wallet's cached balance."""
        rows = await self._session.execute(
            select(WalletRow.id, WalletRow.paid_minor, WalletRow.complimentary_minor)
        )
        return {wallet_id: Balance(paid, complimentary) for wallet_id, paid, complimentary in rows}

    async def unbalanced_transactions(self) -> list[UUID]:
        """Transactions whose entries do not sum to zero (the database refuses them; this double-checks)."""
        rows = await self._session.scalars(
            select(EntryRow.transaction_id)
            .group_by(EntryRow.transaction_id)
            .having(func.sum(EntryRow.amount_minor) != 0)
        )
        return list(rows)


class ChargeRepository:
    """Card charges: top-ups and automatic recharges."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, charge: Charge) -> None:
        """Store a new charge with the current trace (the job continues it) and wake the charging job
        (the NOTIFY is delivered on commit)."""
        trace = current_trace_headers()
        traced = {"traceparent": trace.get("traceparent"), "tracestate": trace.get("tracestate")}
        self._session.add(ChargeRow(id=charge.id, **_charge_values(charge), **traced))
        await self._session.flush()
        await self._session.execute(text(f"NOTIFY {CHARGES_CHANNEL}"))

    async def get(self, charge_id: UUID, *, for_update: bool = False) -> Charge | None:
        """A charge; locked until the transaction ends if asked."""
        query = select(ChargeRow).where(ChargeRow.id == charge_id)
        row = await self._session.scalar(query.with_for_update() if for_update else query)
        return None if row is None else _charge(row)

    async def save(self, charge: Charge) -> None:
        """Persist a charge's new state."""
        row = await self._session.get(ChargeRow, charge.id)
        if row is None:
            raise LookupError(f"charge {charge.id} vanished")
        for name, value in _charge_values(charge).items():
            setattr(row, name, value)
        await self._session.flush()

    async def open_recharge(self, wallet_id: UUID) -> Charge | None:
        """The wallet's automatic recharge still under way, if any."""
        row = await self._session.scalar(
            select(ChargeRow).where(
                ChargeRow.wallet_id == wallet_id,
                ChargeRow.kind == ChargeKind.AUTO_RECHARGE.value,
                ChargeRow.status.in_([status.value for status in OPEN_STATUSES]),
            )
        )
        return None if row is None else _charge(row)

    async def recharged_since(self, wallet_id: UUID, since: datetime) -> int:
        """The sum of automatic recharges since an instant, not counting those that failed for good."""
        total = await self._session.scalar(
            select(func.coalesce(func.sum(ChargeRow.amount_minor), 0)).where(
                ChargeRow.wallet_id == wallet_id,
                ChargeRow.kind == ChargeKind.AUTO_RECHARGE.value,
                ChargeRow.status != ChargeStatus.FAILED.value,
                ChargeRow.created_at >= since,
            )
        )
        return int(total or 0)

    async def asked_by_partner_since(
        self, wallet_id: UUID, partner_organisation_id: UUID, since: datetime
    ) -> int:
        """The sum of top-ups the partner asked for on this wallet since an instant (failed ones aside)."""
        total = await self._session.scalar(
            select(func.coalesce(func.sum(ChargeRow.amount_minor), 0)).where(
                ChargeRow.wallet_id == wallet_id,
                ChargeRow.kind == ChargeKind.TOP_UP.value,
                ChargeRow.on_behalf_of_partner_id == partner_organisation_id,
                ChargeRow.status != ChargeStatus.FAILED.value,
                ChargeRow.created_at >= since,
            )
        )
        return int(total or 0)

    async def claim_due(self, now: datetime, limit: int) -> list[Charge]:
        """Charges to attempt now, locked so another replica skips them: due ones, attempts whose lease
        expired (their process died), and pending ones to ask Stripe about."""
        due = (ChargeRow.status == ChargeStatus.DUE.value) & (ChargeRow.next_attempt_at <= now)
        stale = (ChargeRow.status == ChargeStatus.CHARGING.value) & (ChargeRow.lease_until <= now)
        undecided = (ChargeRow.status == ChargeStatus.PENDING.value) & (ChargeRow.next_attempt_at <= now)
        rows = await self._session.scalars(
            select(ChargeRow)
            .where(due | stale | undecided)
            .order_by(ChargeRow.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_charge(row) for row in rows]

    async def traces_of(self, charge_ids: list[UUID]) -> dict[UUID, tuple[str | None, str | None]]:
        """The trace context stored with each charge (traceparent, tracestate)."""
        rows = await self._session.execute(
            select(ChargeRow.id, ChargeRow.traceparent, ChargeRow.tracestate).where(
                ChargeRow.id.in_(charge_ids)
            )
        )
        return {row.id: (row.traceparent, row.tracestate) for row in rows}

    async def next_due_at(self) -> datetime | None:
        """When the next charge falls due or the next lease expires."""
        due = await self._session.scalar(
            select(func.min(ChargeRow.next_attempt_at)).where(
                ChargeRow.status.in_([ChargeStatus.DUE.value, ChargeStatus.PENDING.value])
            )
        )
        stale = await self._session.scalar(
            select(func.min(ChargeRow.lease_until)).where(ChargeRow.status == ChargeStatus.CHARGING.value)
        )
        found = [at for at in (due, stale) if at is not None]
        return min(found) if found else None

    async def of_wallet(self, wallet_id: UUID, kind: ChargeKind, limit: int) -> list[Charge]:
        """A wallet's latest charges of one kind, newest first."""
        rows = await self._session.scalars(
            select(ChargeRow)
            .where(ChargeRow.wallet_id == wallet_id, ChargeRow.kind == kind.value)
            .order_by(ChargeRow.created_at.desc())
            .limit(limit)
        )
        return [_charge(row) for row in rows]


class RefusalRepository:
    """Usage the wallet refused, each once."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, usage_id: UUID) -> RefusalRow | None:
        """The refusal of a usage, if it was refused."""
        return await self._session.get(RefusalRow, usage_id)

    async def add(self, refusal: RefusalRow) -> bool:
        """Record a refusal; False when the usage was already refused."""
        values = {column.key: getattr(refusal, column.key) for column in RefusalRow.__table__.columns}
        inserted = await self._session.scalar(
            insert(RefusalRow).values(values).on_conflict_do_nothing().returning(RefusalRow.usage_id)
        )
        return inserted is not None


def _wallet(row: WalletRow) -> Wallet:
    return Wallet(
        id=row.id,
        organisation_id=row.organisation_id,
        currency=Currency(row.currency),
        opened_at=row.opened_at,
        balance=Balance(paid=row.paid_minor, complimentary=row.complimentary_minor),
        auto_recharge=AutoRecharge(
            threshold_minor=row.threshold_minor,
            amount_minor=row.recharge_amount_minor,
            monthly_cap_minor=row.monthly_cap_minor,
            enabled=row.auto_recharge_enabled,
            paused=row.auto_recharge_paused,
            failures_in_a_row=row.recharge_failures_in_a_row,
        ),
        receipts_to_client=row.receipts_to_client,
    )


def _movement(row: TransactionRow) -> Movement:
    return Movement(
        id=row.id,
        wallet_id=row.wallet_id,
        kind=TransactionKind(row.kind),
        reference_id=row.reference_id,
        amount_minor=row.amount_minor,
        complimentary_change_minor=row.complimentary_change_minor,
        paid_change_minor=row.paid_change_minor,
        balance_after=Balance(paid=row.paid_after_minor, complimentary=row.complimentary_after_minor),
        recorded_at=row.recorded_at,
        usage_kind=row.usage_kind,
        usage_quantity=row.usage_quantity,
        actor_user_id=row.actor_user_id,
        note=row.note,
    )


def _charge_values(charge: Charge) -> dict[str, object]:
    return {
        "wallet_id": charge.wallet_id,
        "kind": charge.kind.value,
        "amount_minor": charge.amount_minor,
        "status": charge.status.value,
        "attempts": charge.attempts,
        "next_attempt_at": charge.next_attempt_at,
        "lease_until": charge.lease_until,
        "stripe_customer_id": charge.stripe_customer_id,
        "payment_method_id": charge.payment_method_id,
        "payment_intent_id": charge.payment_intent_id,
        "last_error": charge.last_error,
        "requested_by_user_id": charge.requested_by_user_id,
        "on_behalf_of_partner_id": charge.on_behalf_of_partner_id,
        "created_at": charge.created_at,
        "settled_at": charge.settled_at,
    }


def _charge(row: ChargeRow) -> Charge:
    return Charge(
        id=row.id,
        wallet_id=row.wallet_id,
        kind=ChargeKind(row.kind),
        amount_minor=row.amount_minor,
        status=ChargeStatus(row.status),
        created_at=row.created_at,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        lease_until=row.lease_until,
        stripe_customer_id=row.stripe_customer_id,
        payment_method_id=row.payment_method_id,
        payment_intent_id=row.payment_intent_id,
        last_error=row.last_error,
        requested_by_user_id=row.requested_by_user_id,
        on_behalf_of_partner_id=row.on_behalf_of_partner_id,
        settled_at=row.settled_at,
    )
