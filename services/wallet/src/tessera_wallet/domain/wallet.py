"""A wallet, its card charges, and the movements its history lists."""

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from tessera_wallet.domain.auto_recharge import AutoRecharge
from tessera_wallet.domain.charges import OPEN_STATUSES, ChargeKind, ChargeStatus
from tessera_wallet.domain.ledger import Balance, Currency, TransactionKind


@dataclass
class Wallet:
    """One organisation's credits in one currency."""

    id: UUID
    organisation_id: UUID
    currency: Currency
    opened_at: datetime
    balance: Balance = field(default_factory=Balance)
    auto_recharge: AutoRecharge = field(default_factory=AutoRecharge)
    receipts_to_client: bool = False


@dataclass
class Charge:
    """A top-up or an automatic recharge charged to the organisation's primary card."""

    id: UUID
    wallet_id: UUID
    kind: ChargeKind
    amount_minor: int
    status: ChargeStatus
    created_at: datetime
    attempts: int = 0
    next_attempt_at: datetime | None = None
    lease_until: datetime | None = None
    stripe_customer_id: str | None = None
    payment_method_id: str | None = None
    payment_intent_id: str | None = None
    last_error: str | None = None
    requested_by_user_id: UUID | None = None
    settled_at: datetime | None = None
    # The partner whose user asked for this top-up of its client's wallet (None: the client itself).
    on_behalf_of_partner_id: UUID | None = None

    @property
    def is_open(self) -> bool:
        """Whether the charge may still succeed."""
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class Movement:
    """One ledger transaction as the wallet's history shows it."""

    id: UUID
    wallet_id: UUID
    kind: TransactionKind
    reference_id: UUID
    amount_minor: int
    complimentary_change_minor: int
    paid_change_minor: int
    balance_after: Balance
    recorded_at: datetime
    usage_kind: str | None = None
    usage_quantity: int | None = None
    actor_user_id: UUID | None = None
    note: str | None = None
