"""Events the wallet service publishes: prepaid credits, usage debits and auto-recharge."""

from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from tessera_events.envelope import EventData
from tessera_events.money import Money
from tessera_events.topics import Topic

WALLETS = Topic(
    name="tessera.wallet.wallets.v1",
    owner="wallet",
    key="wallet_id",
    description="Movements on prepaid wallets: credits, debits, refusals, recharges, low balance.",
    partitions=6,
)
USAGE = Topic(
    name="tessera.wallet.usage.v1",
    owner="wallet",
    key="organisation_id",
    description=(
        "Metered usage (an SMS, an e-mail) that services report so the wallet debits it; "
        "idempotent by usage_id. Any service may publish here."
    ),
    partitions=6,
)
TOPICS = (WALLETS, USAGE)


class CreditKind(StrEnum):
    """Where credits came from."""

    TOP_UP = "top_up"
    AUTO_RECHARGE = "auto_recharge"
    COMPLIMENTARY = "complimentary"


class UsageKind(StrEnum):
    """What was used."""

    SMS = "sms"
    EMAIL = "email"


class Balance(BaseModel):
    """Paid and complimentary credits of one wallet after a movement."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    paid: Money
    complimentary: Money


class WalletCredited(EventData):
    """Credits were added to a wallet (a top-up or recharge that succeeded, or a complimentary grant)."""

    EVENT_TYPE: ClassVar[str] = "tessera.wallet.WalletCredited.v1"
    TOPIC: ClassVar[Topic] = WALLETS
    KEY_FIELD: ClassVar[str] = "wallet_id"

    wallet_id: UUID
    organisation_id: UUID
    entry_id: UUID
    kind: CreditKind
    amount: Money
    balance: Balance
    credited_by_user_id: UUID | None = Field(description="None for an automatic recharge.")
    credited_at: AwareDatetime
    receipt_to_client: bool | None = Field(
        default=None,
        description=(
            "For a top-up or recharge: whether the client organisation wants the receipt e-mailed "
            "(off by default; the managing partner sees receipts either way). None for complimentary credits."
        ),
    )


class WalletDebited(EventData):
    """Usage was paid from a wallet, complimentary credits first."""

    EVENT_TYPE: ClassVar[str] = "tessera.wallet.WalletDebited.v1"
    TOPIC: ClassVar[Topic] = WALLETS
    KEY_FIELD: ClassVar[str] = "wallet_id"

    wallet_id: UUID
    organisation_id: UUID
    usage_id: UUID
    usage_kind: UsageKind
    amount: Money
    from_complimentary: Money
    from_paid: Money
    balance: Balance
    debited_at: AwareDatetime


class DebitRefusalReason(StrEnum):
    """Why a debit was refused."""

    INSUFFICIENT_CREDITS = "insufficient_credits"
    CURRENCY_MISMATCH = "currency_mismatch"
    NO_WALLET = "no_wallet"


class DebitRefused(EventData):
    """A usage debit was refused; the balance did not change. The caller should stop the usage."""

    EVENT_TYPE: ClassVar[str] = "tessera.wallet.DebitRefused.v1"
    TOPIC: ClassVar[Topic] = WALLETS
    KEY_FIELD: ClassVar[str] = "wallet_id"

    wallet_id: UUID | None
    organisation_id: UUID
    usage_id: UUID
    amount: Money
    reason: DebitRefusalReason
    available: Money | None
    refused_at: AwareDatetime


class RechargeSucceeded(EventData):
    """An automatic recharge was charged to the primary card and credited."""

    EVENT_TYPE: ClassVar[str] = "tessera.wallet.RechargeSucceeded.v1"
    TOPIC: ClassVar[Topic] = WALLETS
    KEY_FIELD: ClassVar[str] = "wallet_id"

    wallet_id: UUID
    organisation_id: UUID
    recharge_id: UUID
    amount: Money
    balance: Balance
    succeeded_at: AwareDatetime


class RechargeFailed(EventData):
    """An automatic recharge could not be charged; after ``failures_in_a_row`` reaches the limit,
    auto-recharge is paused until the owner resumes it."""

    EVENT_TYPE: ClassVar[str] = "tessera.wallet.RechargeFailed.v1"
    TOPIC: ClassVar[Topic] = WALLETS
    KEY_FIELD: ClassVar[str] = "wallet_id"

    wallet_id: UUID
    organisation_id: UUID
    recharge_id: UUID
    amount: Money
    reason: str
    failures_in_a_row: int = Field(ge=1)
    next_attempt_at: AwareDatetime | None
    paused: bool
    failed_at: AwareDatetime


class LowBalance(EventData):
    """A wallet's balance went under its threshold."""

    EVENT_TYPE: ClassVar[str] = "tessera.wallet.LowBalance.v1"
    TOPIC: ClassVar[Topic] = WALLETS
    KEY_FIELD: ClassVar[str] = "wallet_id"

    wallet_id: UUID
    organisation_id: UUID
    balance: Balance
    threshold: Money
    auto_recharge_active: bool
    noticed_at: AwareDatetime


class UsageRecorded(EventData):
    """A service used something billable for an organisation; the wallet debits it once per usage_id."""

    EVENT_TYPE: ClassVar[str] = "tessera.wallet.UsageRecorded.v1"
    TOPIC: ClassVar[Topic] = USAGE
    KEY_FIELD: ClassVar[str] = "organisation_id"

    usage_id: UUID
    organisation_id: UUID
    kind: UsageKind
    quantity: int = Field(ge=1)
    amount: Money = Field(description="The total price of this usage.")
    reported_by: str = Field(description="The service that used it.")
    occurred_at: AwareDatetime


EVENTS: tuple[type[EventData], ...] = (
    WalletCredited,
    WalletDebited,
    DebitRefused,
    RechargeSucceeded,
    RechargeFailed,
    LowBalance,
    UsageRecorded,
)
