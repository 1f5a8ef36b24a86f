"""Billing periods and the dates renewals fall due on."""

import calendar
from datetime import date
from enum import StrEnum


class Period(StrEnum):
    """How often a subscription renews."""

    MONTHLY = "monthly"
    YEARLY = "yearly"

    @property
    def months(self) -> int:
        """Length of one period in calendar months."""
        return 1 if self is Period.MONTHLY else 12

    def renewal_on(self, started_on: date, periods: int = 1) -> date:
        """The day a subscription started on ``started_on`` renews after ``periods`` periods.

        Always counted from the start, never from the previous renewal, so a subscription started on
        January 31st renews on February 28th (or 29th) and then on March 31st, not March 28th.
        """
        if periods < 0:
            raise ValueError("a renewal lies after the start: periods must not be negative")
        return add_months(started_on, self.months * periods)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later, or the month's last day when it is shorter."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))
