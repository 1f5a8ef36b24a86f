"""Examples of wallet's events."""

from tessera_events.envelope import EventData
from tessera_events.examples.common import CLIENT, USER, example_at, example_id
from tessera_events.money import Currency, Money
from tessera_events.wallet import (
    Balance,
    CreditKind,
    DebitRefusalReason,
    DebitRefused,
    LowBalance,
    RechargeFailed,
    RechargeSucceeded,
    UsageKind,
    UsageRecorded,
    WalletCredited,
    WalletDebited,
)

_WALLET = example_id("wallet")
_USAGE = example_id("usage:sms")
_RECHARGE = example_id("recharge")


def _chf(amount_minor: int) -> Money:
    return Money(amount_minor=amount_minor, currency=Currency.CHF)


EXAMPLES: tuple[EventData, ...] = (
    WalletCredited(
        wallet_id=_WALLET,
        organisation_id=CLIENT,
        entry_id=example_id("entry:top-up"),
        kind=CreditKind.TOP_UP,
        amount=_chf(5000),
        balance=Balance(paid=_chf(5000), complimentary=_chf(1000)),
        credited_by_user_id=USER,
        credited_at=example_at(1, 10),
        receipt_to_client=False,
    ),
    WalletDebited(
        wallet_id=_WALLET,
        organisation_id=CLIENT,
        usage_id=_USAGE,
        usage_kind=UsageKind.SMS,
        amount=_chf(1200),
        from_complimentary=_chf(1000),
        from_paid=_chf(200),
        balance=Balance(paid=_chf(4800), complimentary=_chf(0)),
        debited_at=example_at(2, 10),
    ),
    DebitRefused(
        wallet_id=_WALLET,
        organisation_id=CLIENT,
        usage_id=example_id("usage:sms-burst"),
        amount=_chf(9000),
        reason=DebitRefusalReason.INSUFFICIENT_CREDITS,
        available=_chf(4800),
        refused_at=example_at(2, 11),
    ),
    RechargeSucceeded(
        wallet_id=_WALLET,
        organisation_id=CLIENT,
        recharge_id=_RECHARGE,
        amount=_chf(5000),
        balance=Balance(paid=_chf(9800), complimentary=_chf(0)),
        succeeded_at=example_at(2, 12),
    ),
    RechargeFailed(
        wallet_id=_WALLET,
        organisation_id=CLIENT,
        recharge_id=example_id("recharge:failed"),
        amount=_chf(5000),
        reason="card_declined: expired_card",
        failures_in_a_row=1,
        next_attempt_at=example_at(3, 12),
        paused=False,
        failed_at=example_at(2, 12),
    ),
    LowBalance(
        wallet_id=_WALLET,
        organisation_id=CLIENT,
        balance=Balance(paid=_chf(800), complimentary=_chf(0)),
        threshold=_chf(1000),
        auto_recharge_active=True,
        noticed_at=example_at(2, 11),
    ),
    UsageRecorded(
        usage_id=_USAGE,
        organisation_id=CLIENT,
        kind=UsageKind.SMS,
        quantity=12,
        amount=_chf(1200),
        reported_by="notify",
        occurred_at=example_at(2, 10),
    ),
)
