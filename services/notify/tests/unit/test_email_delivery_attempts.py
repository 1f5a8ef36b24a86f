"""What one attempt at sending means: delivered, retried later with growing pauses, or given up."""

from datetime import UTC, datetime, timedelta

from tessera_notify.domain.deliveries import (
    Delivered,
    GaveUp,
    PermanentDeliveryError,
    RetryLater,
    RetrySchedule,
    TransientDeliveryError,
    settle_attempt,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SCHEDULE = RetrySchedule(
    max_attempts=8, initial_backoff=timedelta(seconds=30), max_backoff=timedelta(minutes=10)
)


def test_an_accepted_email_is_delivered() -> None:
    assert settle_attempt(0, None, NOW, SCHEDULE) == Delivered(at=NOW)


def test_a_transient_failure_is_retried_after_a_pause_that_doubles() -> None:
    error = TransientDeliveryError("451 4.3.0 try again later")

    first = settle_attempt(0, error, NOW, SCHEDULE)
    third = settle_attempt(2, error, NOW, SCHEDULE)

    assert first == RetryLater(at=NOW + timedelta(seconds=30), error="451 4.3.0 try again later")
    assert third == RetryLater(at=NOW + timedelta(seconds=120), error="451 4.3.0 try again later")


def test_the_pause_between_attempts_is_capped() -> None:
    settled = settle_attempt(6, TransientDeliveryError("timeout"), NOW, SCHEDULE)

    assert settled == RetryLater(at=NOW + timedelta(minutes=10), error="timeout")


def test_an_email_that_keeps_failing_transiently_is_given_up_after_the_last_attempt() -> None:
    settled = settle_attempt(7, TransientDeliveryError("451 busy"), NOW, SCHEDULE)

    assert settled == GaveUp(at=NOW, reason="gave up after 8 attempts: 451 busy")


def test_a_permanent_refusal_is_given_up_at_once() -> None:
    settled = settle_attempt(0, PermanentDeliveryError("550 5.1.1 no such user"), NOW, SCHEDULE)

    assert settled == GaveUp(at=NOW, reason="550 5.1.1 no such user")
