"""Renewal dates: one period after the start, counted from the start, safe at the end of a month."""

from datetime import date

import pytest

from tessera_billing.domain.periods import Period, add_months


def test_a_monthly_subscription_started_on_january_31st_renews_on_the_last_day_of_february() -> None:
    assert Period.MONTHLY.renewal_on(date(2025, 1, 31)) == date(2025, 2, 28)
    assert Period.MONTHLY.renewal_on(date(2024, 1, 31)) == date(2024, 2, 29)


def test_renewals_return_to_the_31st_once_the_month_is_long_enough() -> None:
    started = date(2025, 1, 31)

    renewals = [Period.MONTHLY.renewal_on(started, n) for n in range(1, 5)]

    assert renewals == [date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30), date(2025, 5, 31)]


def test_a_yearly_subscription_renews_on_the_same_day_next_year() -> None:
    assert Period.YEARLY.renewal_on(date(2025, 3, 14)) == date(2026, 3, 14)


def test_a_yearly_subscription_started_on_february_29th_renews_on_february_28th() -> None:
    assert Period.YEARLY.renewal_on(date(2024, 2, 29)) == date(2025, 2, 28)
    assert Period.YEARLY.renewal_on(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_a_monthly_renewal_in_december_lands_in_january_of_the_next_year() -> None:
    assert Period.MONTHLY.renewal_on(date(2025, 12, 15)) == date(2026, 1, 15)


def test_adding_months_crosses_years_both_ways() -> None:
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)


def test_a_renewal_never_lies_before_the_start() -> None:
    with pytest.raises(ValueError, match="negative"):
        Period.MONTHLY.renewal_on(date(2025, 1, 1), -1)
