"""Renewal reminders: which notice falls due when, under the organisation's preferences."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tessera_billing.domain.reminders import (
    InvalidReminderPreferences,
    NoticeKind,
    ReminderPreferences,
    next_notice_at,
    notice_due,
)

RENEWS_ON = date(2026, 9, 1)


def _at(days_before: int, hour: int = 9) -> datetime:
    day = RENEWS_ON - timedelta(days=days_before)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_a_reminder_falls_due_at_the_start_of_its_day_before_the_renewal() -> None:
    preferences = ReminderPreferences(lead_days=(30,), auto_renewal_notice=False)

    assert notice_due(preferences, RENEWS_ON, _at(31), []) is None
    notice = notice_due(preferences, RENEWS_ON, _at(30, hour=0), [])

    assert notice is not None
    assert (notice.kind, notice.lead_days) == (NoticeKind.RENEWAL_REMINDER, 30)
    assert notice.due_at == datetime(2026, 8, 2, tzinfo=UTC)


def test_the_auto_renewal_notice_comes_fourteen_days_before_and_replaces_a_reminder_that_day() -> None:
    preferences = ReminderPreferences(lead_days=(14, 7))

    notice = notice_due(preferences, RENEWS_ON, _at(14), [])

    assert notice is not None
    assert (notice.kind, notice.lead_days) == (NoticeKind.AUTO_RENEWAL_NOTICE, 14)


def test_a_reminder_already_sent_is_not_due_again() -> None:
    preferences = ReminderPreferences(lead_days=(30, 7))

    assert notice_due(preferences, RENEWS_ON, _at(20), [30]) is None


def test_after_downtime_only_the_closest_missed_reminder_is_sent() -> None:
    preferences = ReminderPreferences(lead_days=(60, 30, 7))

    notice = notice_due(preferences, RENEWS_ON, _at(10), [60])

    assert notice is not None
    assert notice.lead_days == 14


def test_nothing_is_sent_after_a_closer_reminder_went_out_even_if_a_longer_lead_time_is_added() -> None:
    before = ReminderPreferences(lead_days=(7,), auto_renewal_notice=False)
    after = ReminderPreferences(lead_days=(30,), auto_renewal_notice=False)
    assert notice_due(before, RENEWS_ON, _at(7), []) is not None

    assert notice_due(after, RENEWS_ON, _at(5), [7]) is None


def test_switching_reminders_off_takes_effect_for_the_next_notice() -> None:
    off = ReminderPreferences(reminders_enabled=False, auto_renewal_notice=False)

    assert notice_due(off, RENEWS_ON, _at(1), []) is None
    assert next_notice_at(off, RENEWS_ON, _at(40), []) is None


def test_nothing_is_sent_on_or_after_the_renewal_day() -> None:
    preferences = ReminderPreferences(lead_days=(1,))

    assert notice_due(preferences, RENEWS_ON, _at(0, hour=0), []) is None


def test_the_next_notice_is_the_earliest_lead_time_still_ahead() -> None:
    preferences = ReminderPreferences(lead_days=(30, 7))

    assert next_notice_at(preferences, RENEWS_ON, _at(40), []) == _at(30, hour=0)
    assert next_notice_at(preferences, RENEWS_ON, _at(20), [30]) == _at(14, hour=0)
    assert next_notice_at(preferences, RENEWS_ON, _at(3), [7]) is None


@pytest.mark.parametrize("lead_days", [(0,), (63,), (7, 7), (1, 2, 3, 4, 5, 6, 7)])
def test_lead_times_are_one_to_sixty_two_days_distinct_and_few(lead_days: tuple[int, ...]) -> None:
    with pytest.raises(InvalidReminderPreferences):
        ReminderPreferences(lead_days=lead_days)


def test_two_months_is_the_longest_lead_time() -> None:
    assert ReminderPreferences(lead_days=(62, 1)).lead_days == (62, 1)
