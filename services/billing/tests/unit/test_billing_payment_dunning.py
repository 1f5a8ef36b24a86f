"""Dunning and payment attempts: when a failed card payment is retried, and why it never charges twice."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from tessera_billing.domain.dunning import RetrySchedule
from tessera_billing.domain.money import Currency, Money
from tessera_billing.domain.payments import AttemptStatus, Card, PaymentAlreadySettled, PaymentAttempt

FIRST_FAILURE = datetime(2026, 3, 2, 4, 30, tzinfo=UTC)
VISA = Card("pm_visa", "visa", "4242", 12, 2030)


def _attempt() -> PaymentAttempt:
    return PaymentAttempt.first(
        invoice_id=uuid4(),
        payer_organisation_id=uuid4(),
        amount=Money(19361, Currency.CHF),
        due_at=FIRST_FAILURE,
    )


def test_a_failed_payment_is_retried_one_three_and_seven_days_after_its_first_failure() -> None:
    schedule = RetrySchedule()

    retries = [schedule.next_attempt_at(failed, FIRST_FAILURE) for failed in (1, 2, 3)]

    assert retries == [FIRST_FAILURE + timedelta(days=days) for days in (1, 3, 7)]


def test_dunning_gives_up_after_the_last_retry_fails() -> None:
    schedule = RetrySchedule((1, 3, 7))

    assert schedule.max_attempts == 4
    assert schedule.next_attempt_at(4, FIRST_FAILURE) is None


def test_a_retry_schedule_must_be_increasing_positive_days() -> None:
    with pytest.raises(ValueError, match="positive"):
        RetrySchedule((0, 3))
    with pytest.raises(ValueError, match="increase"):
        RetrySchedule((3, 1))


def test_sending_the_same_attempt_again_reuses_its_stripe_idempotency_key() -> None:
    invoice, payer = uuid4(), uuid4()
    amount = Money(1000, Currency.EUR)

    first = PaymentAttempt.first(
        invoice_id=invoice, payer_organisation_id=payer, amount=amount, due_at=FIRST_FAILURE
    )
    again = PaymentAttempt.first(
        invoice_id=invoice, payer_organisation_id=payer, amount=amount, due_at=FIRST_FAILURE
    )

    assert first.payment_id == again.payment_id
    assert first.idempotency_key == again.idempotency_key == f"tessera-payment-{first.payment_id}"


def test_a_retry_after_a_failure_is_a_new_charge_with_its_own_key_and_remembers_the_first_failure() -> None:
    first = _attempt()
    first.submit(VISA, FIRST_FAILURE)
    first.fail("card_declined: insufficient_funds", FIRST_FAILURE)

    retry = first.retry(FIRST_FAILURE + timedelta(days=1))
    retry.submit(VISA, FIRST_FAILURE + timedelta(days=1))
    retry.fail("card_declined: insufficient_funds", FIRST_FAILURE + timedelta(days=1))

    assert retry.attempt == 2
    assert retry.idempotency_key != first.idempotency_key
    assert retry.first_failed_at == FIRST_FAILURE
    assert RetrySchedule().next_attempt_at(retry.attempt, retry.first_failed_at) == FIRST_FAILURE + timedelta(
        days=3
    )


def test_a_settled_attempt_cannot_be_settled_again() -> None:
    attempt = _attempt()
    attempt.submit(VISA, FIRST_FAILURE)
    attempt.succeed(FIRST_FAILURE, "pi_1")

    with pytest.raises(PaymentAlreadySettled):
        attempt.fail("card_declined", FIRST_FAILURE)
    assert attempt.status is AttemptStatus.SUCCEEDED


def test_only_a_failed_attempt_is_retried_and_only_a_positive_amount_charged() -> None:
    with pytest.raises(ValueError, match="failed"):
        _attempt().retry(FIRST_FAILURE)
    with pytest.raises(ValueError, match="positive"):
        PaymentAttempt.first(
            invoice_id=uuid4(),
            payer_organisation_id=uuid4(),
            amount=Money(0, Currency.CHF),
            due_at=FIRST_FAILURE,
        )
