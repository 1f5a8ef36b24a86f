"""The small decisions behind a notice's wording: which side was invited, how far dunning has gone,
whether a membership change touches the organisation's legal representatives."""

from datetime import datetime
from enum import StrEnum


class Side(StrEnum):
    """One side of a partner-client relationship."""

    PARTNER = "partner"
    CLIENT = "client"

    @property
    def other(self) -> "Side":
        """The side that did not act."""
        return Side.CLIENT if self is Side.PARTNER else Side.PARTNER


class DunningStage(StrEnum):
    """Where a failed payment stands: first failure, a reminder while retrying, or the last word."""

    FIRST_FAILURE = "first_failure"
    REMINDER = "reminder"
    FINAL = "final"


def dunning_stage(attempt: int, next_attempt_at: datetime | None) -> DunningStage:
    """Without a next attempt dunning has ended; otherwise the first failure is worded gently and
    every later one as a reminder."""
    if next_attempt_at is None:
        return DunningStage.FINAL
    return DunningStage.FIRST_FAILURE if attempt <= 1 else DunningStage.REMINDER


class RechargeStage(StrEnum):
    """What follows a failed automatic recharge."""

    RETRYING = "retrying"
    PAUSED = "paused"
    GAVE_UP = "gave_up"


def recharge_stage(paused: bool, next_attempt_at: datetime | None) -> RechargeStage:
    """Paused auto-recharge waits for the owner; otherwise it is retried if a next attempt is set."""
    if paused:
        return RechargeStage.PAUSED
    return RechargeStage.RETRYING if next_attempt_at is not None else RechargeStage.GAVE_UP


class RepresentationChange(StrEnum):
    """How someone's standing as legal representative changed."""

    APPOINTED = "appointed"
    STEPPED_DOWN = "stepped_down"
    REMOVED = "removed"


LEGAL_REPRESENTATIVE = "legal_representative"
ADMINISTRATIVE_ROLES = frozenset({LEGAL_REPRESENTATIVE, "administrator"})


def representation_change(
    role: str, previous_role: str | None, had_other_representative: bool
) -> RepresentationChange | None:
    """What a granted role means for the legal representation, if anything.

    The first legal representative of a new organisation (nobody represented it before) is how it
    was registered, not a change anyone needs to hear about.
    """
    if role == LEGAL_REPRESENTATIVE and previous_role != LEGAL_REPRESENTATIVE:
        return RepresentationChange.APPOINTED if had_other_representative else None
    if previous_role == LEGAL_REPRESENTATIVE and role != LEGAL_REPRESENTATIVE:
        return RepresentationChange.STEPPED_DOWN
    return None
