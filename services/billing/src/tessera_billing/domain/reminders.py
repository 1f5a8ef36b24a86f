"""Renewal reminders: which notice falls due when, under the paying organisation's preferences.

Two kinds of notice come before a renewal: the reminders at the lead times the organisation chose
(up to two months ahead, or none), and the auto-renewal notice 14 days ahead. Both count in days
before the renewal date, and fall due at the start (00:00 UTC) of their day.

Rules that make the schedule safe to compute again at any time (after a restart, or right after the
preferences changed):

* a renewal gets at most one notice per lead time, whatever happens (the caller records it);
* when several lead times have passed unsent (the service was down, or a longer lead time was just
  added), only the closest one is sent: a reminder that is already late is not sent on top of a
  newer one;
* nothing is sent once a notice for an equal or closer lead time went out, nor on or after the
  renewal day itself.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from tessera_billing.domain.errors import BillingRuleBroken

MAX_LEAD_DAYS = 62
MAX_LEAD_TIMES = 6
AUTO_RENEWAL_NOTICE_DAYS = 14
DEFAULT_LEAD_DAYS = (30, 7)


class InvalidReminderPreferences(BillingRuleBroken):
    """Lead times outside 1..62 days, repeated, or too many."""


class NoticeKind(StrEnum):
    """Which notice falls due."""

    RENEWAL_REMINDER = "renewal_reminder"
    AUTO_RENEWAL_NOTICE = "auto_renewal_notice"


@dataclass(frozen=True)
class ReminderPreferences:
    """When an organisation wants to hear of its renewals before they happen.

    Confirmations of renewals and debits, and invoice notices, are switched on or off in notify's
    notification preferences: they follow events billing publishes anyway.
    """

    reminders_enabled: bool = True
    lead_days: tuple[int, ...] = DEFAULT_LEAD_DAYS
    auto_renewal_notice: bool = True

    def __post_init__(self) -> None:
        if len(set(self.lead_days)) != len(self.lead_days):
            raise InvalidReminderPreferences("each lead time may appear only once")
        if len(self.lead_days) > MAX_LEAD_TIMES:
            raise InvalidReminderPreferences(f"at most {MAX_LEAD_TIMES} lead times")
        if any(not 1 <= days <= MAX_LEAD_DAYS for days in self.lead_days):
            raise InvalidReminderPreferences(f"lead times are 1 to {MAX_LEAD_DAYS} days before the renewal")
        object.__setattr__(self, "lead_days", tuple(sorted(self.lead_days, reverse=True)))

    def notices(self) -> dict[int, NoticeKind]:
        """The notices wanted before each renewal, by days ahead.

        On the 14th day the auto-renewal notice replaces a plain reminder: one e-mail, not two.
        """
        wanted = {days: NoticeKind.RENEWAL_REMINDER for days in self.lead_days if self.reminders_enabled}
        if self.auto_renewal_notice:
            wanted[AUTO_RENEWAL_NOTICE_DAYS] = NoticeKind.AUTO_RENEWAL_NOTICE
        return wanted


@dataclass(frozen=True)
class Notice:
    """A notice of one renewal, due at a lead time."""

    kind: NoticeKind
    renews_on: date
    lead_days: int

    @property
    def due_at(self) -> datetime:
        """The start (UTC) of the day ``lead_days`` before the renewal."""
        return start_of(self.renews_on - timedelta(days=self.lead_days))


def start_of(day: date) -> datetime:
    """The instant a day starts, in UTC."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def notice_due(
    preferences: ReminderPreferences, renews_on: date, now: datetime, sent_lead_days: Iterable[int]
) -> Notice | None:
    """The notice to send now for a renewal, if any (see the module's rules)."""
    if now >= start_of(renews_on):
        return None
    closest_sent = min(sent_lead_days, default=None)
    passed = [
        Notice(kind, renews_on, days)
        for days, kind in preferences.notices().items()
        if start_of(renews_on - timedelta(days=days)) <= now
    ]
    if not passed:
        return None
    closest = min(passed, key=lambda notice: notice.lead_days)
    if closest_sent is not None and closest_sent <= closest.lead_days:
        return None
    return closest


def next_notice_at(
    preferences: ReminderPreferences, renews_on: date, now: datetime, sent_lead_days: Iterable[int]
) -> datetime | None:
    """When the next notice of a renewal falls due after ``now``; None when no more will."""
    closest_sent = min(sent_lead_days, default=MAX_LEAD_DAYS + 1)
    upcoming = [
        start_of(renews_on - timedelta(days=days))
        for days in preferences.notices()
        if days < closest_sent and start_of(renews_on - timedelta(days=days)) > now
    ]
    return min(upcoming, default=None)
