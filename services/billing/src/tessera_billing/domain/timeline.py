"""A value that changes at known instants: which billing mode applies, who pays."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Generic, TypeVar

T = TypeVar("T")


def instant(when: date) -> datetime:
    """A date as the instant its day starts in UTC; a timezone-aware datetime as the same instant in UTC."""
    if isinstance(when, datetime):
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError(f"{when.isoformat()} has no timezone: billing works in aware UTC instants")
        return when.astimezone(UTC)
    return datetime.combine(when, time.min, tzinfo=UTC)


@dataclass(frozen=True)
class Effective(Generic[T]):
    """A value that holds from ``effective_from`` until the next change."""

    value: T
    effective_from: datetime


class Timeline(Generic[T]):
    """The history of one value: what it was, is and will be at any instant.

    Before its first change the timeline holds its first value: nothing is known earlier.
    """

    def __init__(self, changes: Iterable[Effective[T]]) -> None:
        ordered = sorted(
            (Effective(change.value, instant(change.effective_from)) for change in changes),
            key=lambda change: change.effective_from,
        )
        if not ordered:
            raise ValueError("a timeline starts with a value")
        self._changes = ordered

    @classmethod
    def starting(cls, value: T, effective_from: datetime) -> "Timeline[T]":
        """A timeline holding one value from ``effective_from`` on."""
        return cls([Effective(value, instant(effective_from))])

    @property
    def changes(self) -> tuple[Effective[T], ...]:
        """Every change, oldest first."""
        return tuple(self._changes)

    @property
    def first(self) -> Effective[T]:
        """The oldest change."""
        return self._changes[0]

    def value_on(self, when: date) -> T:
        """The value in force at ``when`` (a date means the start of that day, UTC)."""
        moment = instant(when)
        current = self._changes[0]
        for change in self._changes[1:]:
            if change.effective_from > moment:
                break
            current = change
        return current.value

    def since(self, moment: datetime) -> "Timeline[T]":
        """The same history seen from ``moment`` on: the value then, and every later change."""
        moment = instant(moment)
        later = [change for change in self._changes if change.effective_from > moment]
        return Timeline([Effective(self.value_on(moment), moment), *later])

    def set_from(self, value: T, effective_from: datetime) -> bool:
        """From ``effective_from`` on, the value is ``value``; returns False when that was already so.

        The latest decision wins: changes already planned at or after ``effective_from`` are superseded.
        """
        moment = instant(effective_from)
        kept = [change for change in self._changes if change.effective_from < moment]
        superseded = [change for change in self._changes if change.effective_from >= moment]
        if self.value_on(moment) == value and all(change.value == value for change in superseded):
            return False
        if kept and kept[-1].value == value:
            self._changes = kept  # the superseded plan is gone and the value simply carries on
        else:
            self._changes = [*kept, Effective(value, moment)]
        return True

    def starting_earlier(self, value: T, effective_from: datetime) -> bool:
        """Learn the value held from an instant before the first known change; False if not earlier."""
        moment = instant(effective_from)
        if moment >= self.first.effective_from:
            return False
        self._changes.insert(0, Effective(value, moment))
        return True
