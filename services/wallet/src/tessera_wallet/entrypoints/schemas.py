"""The shapes of wallet's HTTP API. Amounts are integer minor units of the wallet's currency."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from tessera_events.wallet import UsageKind
from tessera_kit.inputs import RequestBody
from tessera_wallet.domain.charges import ChargeKind, ChargeStatus
from tessera_wallet.domain.ledger import Balance, Currency, TransactionKind
from tessera_wallet.domain.wallet import Charge, Movement, Wallet
from tessera_wallet.service_layer.ledger_check import LedgerReport

MAX_AMOUNT_MINOR = 100_000_000
Amount = Field(gt=0, le=MAX_AMOUNT_MINOR, description="Integer minor units, e.g. 2500 = 25.00.")


class OpenWallet(RequestBody):
    """Open the organisation's wallet in a currency."""

    currency: Currency


class BalanceView(BaseModel):
    """Credits at a glance."""

    paid_minor: int
    complimentary_minor: int
    total_minor: int

    @classmethod
    def of(cls, balance: Balance) -> "BalanceView":
        """The view of a balance."""
        return cls(
            paid_minor=balance.paid, complimentary_minor=balance.complimentary, total_minor=balance.total
        )


class AutoRechargeBody(RequestBody):
    """The owner's auto-recharge settings."""

    enabled: bool
    threshold_minor: int | None = Field(default=None, ge=0, le=MAX_AMOUNT_MINOR)
    amount_minor: int | None = Field(default=None, gt=0, le=MAX_AMOUNT_MINOR)
    monthly_cap_minor: int | None = Field(default=None, gt=0, le=MAX_AMOUNT_MINOR)


class AutoRechargeView(AutoRechargeBody):
    """Auto-recharge settings and where the wallet stands with them."""

    paused: bool
    failures_in_a_row: int
    recharge_in_progress: bool


class WalletView(BaseModel):
    """A wallet: balances, auto-recharge, receipts."""

    wallet_id: UUID
    organisation_id: UUID
    currency: Currency
    balance: BalanceView
    auto_recharge: AutoRechargeView
    receipts_to_client: bool
    opened_at: datetime

    @classmethod
    def of(cls, wallet: Wallet, recharge_in_progress: bool = False) -> "WalletView":
        """The view of a wallet."""
        rule = wallet.auto_recharge
        return cls(
            wallet_id=wallet.id,
            organisation_id=wallet.organisation_id,
            currency=wallet.currency,
            balance=BalanceView.of(wallet.balance),
            auto_recharge=AutoRechargeView(
                enabled=rule.enabled,
                threshold_minor=rule.threshold_minor,
                amount_minor=rule.amount_minor,
                monthly_cap_minor=rule.monthly_cap_minor,
                paused=rule.paused,
                failures_in_a_row=rule.failures_in_a_row,
                recharge_in_progress=recharge_in_progress,
            ),
            receipts_to_client=wallet.receipts_to_client,
            opened_at=wallet.opened_at,
        )


class ReceiptsBody(RequestBody):
    """Whether top-up and recharge receipts are e-mailed to the client too."""

    to_client: bool


class TopUpBody(RequestBody):
    """Add funds: charge the primary card and credit the wallet once the payment succeeded."""

    amount_minor: int = Amount
    top_up_id: UUID | None = Field(
        default=None, description="Choose it to retry safely: the same id never charges twice."
    )


class TopUpView(BaseModel):
    """A top-up and where its payment stands."""

    top_up_id: UUID
    wallet_id: UUID
    amount_minor: int
    status: Literal["pending", "succeeded", "failed"]
    failure_reason: str | None
    payment_intent_id: str | None
    created_at: datetime
    settled_at: datetime | None

    @classmethod
    def of(cls, charge: Charge) -> "TopUpView":
        """The view of a top-up charge."""
        status: Literal["pending", "succeeded", "failed"] = (
            "succeeded"
            if charge.status is ChargeStatus.SUCCEEDED
            else "failed"
            if charge.status is ChargeStatus.FAILED
            else "pending"
        )
        return cls(
            top_up_id=charge.id,
            wallet_id=charge.wallet_id,
            amount_minor=charge.amount_minor,
            status=status,
            failure_reason=charge.last_error if status == "failed" else None,
            payment_intent_id=charge.payment_intent_id,
            created_at=charge.created_at,
            settled_at=charge.settled_at,
        )


class ComplimentaryBody(RequestBody):
    """An operator's gift of credits."""

    amount_minor: int = Amount
    grant_id: UUID | None = Field(default=None, description="Choose it to retry safely.")
    note: str | None = Field(default=None, max_length=500)


class UsageBody(RequestBody):
    """Something billable the organisation used, to be paid from the wallet."""

    usage_id: UUID
    kind: UsageKind
    quantity: int = Field(ge=1, le=1_000_000)
    amount_minor: int = Amount


class MovementView(BaseModel):
    """One line of a wallet's history."""

    movement_id: UUID
    kind: TransactionKind
    reference_id: UUID = Field(description="The top-up, recharge, grant or usage id.")
    amount_minor: int
    paid_change_minor: int
    complimentary_change_minor: int
    balance_after: BalanceView
    recorded_at: datetime
    usage_kind: str | None
    usage_quantity: int | None
    actor_user_id: UUID | None
    note: str | None

    @classmethod
    def of(cls, movement: Movement) -> "MovementView":
        """The view of a movement."""
        return cls(
            movement_id=movement.id,
            kind=movement.kind,
            reference_id=movement.reference_id,
            amount_minor=movement.amount_minor,
            paid_change_minor=movement.paid_change_minor,
            complimentary_change_minor=movement.complimentary_change_minor,
            balance_after=BalanceView.of(movement.balance_after),
            recorded_at=movement.recorded_at,
            usage_kind=movement.usage_kind,
            usage_quantity=movement.usage_quantity,
            actor_user_id=movement.actor_user_id,
            note=movement.note,
        )


class HistoryView(BaseModel):
    """A page of history; pass ``next_cursor`` as ``cursor`` for the next one."""

    items: list[MovementView]
    next_cursor: str | None


class LedgerCheckView(BaseModel):
    """The ledger audit."""

    consistent: bool
    wallets_checked: int
    discrepancies: list[dict[str, object]]
    unbalanced_transactions: list[UUID]

    @classmethod
    def of(cls, report: LedgerReport) -> "LedgerCheckView":
        """The view of a report."""
        return cls(
            consistent=report.consistent,
            wallets_checked=report.wallets_checked,
            discrepancies=[
                {
                    "wallet_id": str(found.wallet_id),
                    "cached": BalanceView.of(found.cached).model_dump(),
                    "from_entries": BalanceView.of(found.from_entries).model_dump(),
                }
                for found in report.discrepancies
            ],
            unbalanced_transactions=report.unbalanced_transactions,
        )


class ChargeView(BaseModel):
    """A card charge (a top-up or an automatic recharge), whatever became of it."""

    charge_id: UUID
    kind: ChargeKind
    amount_minor: int
    status: ChargeStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    payment_intent_id: str | None
    created_at: datetime
    settled_at: datetime | None

    @classmethod
    def of(cls, charge: Charge) -> "ChargeView":
        """The view of a charge."""
        return cls(
            charge_id=charge.id,
            kind=charge.kind,
            amount_minor=charge.amount_minor,
            status=charge.status,
            attempts=charge.attempts,
            next_attempt_at=charge.next_attempt_at,
            last_error=charge.last_error,
            payment_intent_id=charge.payment_intent_id,
            created_at=charge.created_at,
            settled_at=charge.settled_at,
        )
