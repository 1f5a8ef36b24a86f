"""Dunning: when a failed card payment is tried again, and when billing gives up on it."""

from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_RETRY_DAYS = (1, 3, 7)


@dataclass(frozen=True)
class RetrySchedule:
    """Retries of a failed payment, in days after its first failure, e.g. (1, 3, 7).

    The offsets count from the first failure rather than from each retry, so the whole dunning
    period is known in advance (a week by default) whatever time each retry took.
    """

    retry_days: tuple[int, ...] = DEFAULT_RETRY_DAYS

    def __post_init__(self) -> None:
        if any(day <= 0 for day in self.retry_days):
            raise ValueError("retries come after the first failure: every offset must be a positive day")
        if list(self.retry_days) != sorted(set(self.retry_days)):
            raise ValueError("retry offsets must increase")

    @property
    def max_attempts(self) -> int:
        """The first attempt and every retry."""
        return 1 + len(self.retry_days)

    def next_attempt_at(self, failed_attempt: int, first_failed_at: datetime) -> datetime | None:
        """When to try again after attempt ``failed_attempt`` (1 is the first) failed; None: give up."""
        if failed_attempt < 1:
            raise ValueError("attempts are numbered from 1")
        if failed_attempt > len(self.retry_days):
            return None
        return first_failed_at + timedelta(days=self.retry_days[failed_attempt - 1])
