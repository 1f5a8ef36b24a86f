"""Auto-recharge: when a debit takes the balance under the owner's threshold, charge the primary card.

Rules:
* a recharge is due when auto-recharge is on and not paused, the balance is under the threshold, no
  recharge of the wallet is still open (due, charging or awaiting Stripe), and this calendar month's
  recharges (UTC) plus this one stay within the monthly cap;
* a declined charge is retried after a delay that doubles each time; after ``max_failures`` declines
  in a row auto-recharge pauses until the owner resumes it;
* crossing under the threshold (from at or above it) is a low balance, said once per crossing.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from tessera_wallet.domain.errors import InvalidAutoRecharge
from tessera_wallet.domain.ledger import Balance


@dataclass(frozen=True)
class AutoRecharge:
    """The owner's auto-recharge settings and where the wallet stands with them."""

    threshold_minor: int | None = None
    amount_minor: int | None = None
    monthly_cap_minor: int | None = None
    enabled: bool = False
    paused: bool = False
    failures_in_a_row: int = 0

    def __post_init__(self) -> None:
        if self.threshold_minor is not None and self.threshold_minor < 0:
            raise InvalidAutoRecharge("the threshold cannot be negative")
        if self.amount_minor is not None and self.amount_minor <= 0:
            raise InvalidAutoRecharge("the recharge amount must be positive")
        if self.monthly_cap_minor is not None and self.monthly_cap_minor < (self.amount_minor or 0):
            raise InvalidAutoRecharge("the monthly cap must allow at least one recharge")
        if self.enabled and (self.threshold_minor is None or self.amount_minor is None):
            raise InvalidAutoRecharge("auto-recharge needs a threshold and an amount")

    @property
    def active(self) -> bool:
        """Whether a low balance charges the card now."""
        return self.enabled and not self.paused

    def crossed_under(self, before: Balance, after: Balance) -> bool:
        """Whether this movement took the balance from at or above the threshold to under it."""
        threshold = self.threshold_minor
        return threshold is not None and before.total >= threshold > after.total

    def recharge_due(self, balance: Balance, *, open_recharge: bool, recharged_this_month_minor: int) -> bool:
        """Whether a new recharge must be charged now."""
        if not self.active or open_recharge or self.threshold_minor is None or self.amount_minor is None:
            return False
        if balance.total >= self.threshold_minor:
            return False
        cap = self.monthly_cap_minor
        return cap is None or recharged_this_month_minor + self.amount_minor <= cap


@dataclass(frozen=True)
class RechargeFailure:
    """What follows a declined recharge."""

    failures_in_a_row: int
    paused: bool
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class RechargeRetryPolicy:
    """How declined recharges are retried, and when auto-recharge gives up and pauses."""

    max_failures: int = 3
    first_delay: timedelta = timedelta(hours=1)
    longest_delay: timedelta = timedelta(days=1)

    def after_decline(self, failures_before: int, now: datetime) -> RechargeFailure:
        """The wallet's state after one more decline."""
        failures = failures_before + 1
        if failures >= self.max_failures:
            return RechargeFailure(failures, paused=True, next_attempt_at=None)
        delay = min(self.first_delay * 2 ** (failures - 1), self.longest_delay)
        return RechargeFailure(failures, paused=False, next_attempt_at=now + delay)


def month_start(now: datetime) -> datetime:
    """The first instant of ``now``'s calendar month (the monthly cap's window)."""
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
