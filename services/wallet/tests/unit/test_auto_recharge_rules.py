"""Auto-recharge rules: when a recharge is due, the monthly cap, retries and the pause."""

from datetime import UTC, datetime, timedelta

import pytest

from tessera_wallet.domain.auto_recharge import AutoRecharge, RechargeRetryPolicy, month_start
from tessera_wallet.domain.charges import ChargeKind, idempotency_key
from tessera_wallet.domain.errors import InvalidAutoRecharge
from tessera_wallet.domain.ledger import Balance

RULE = AutoRecharge(threshold_minor=1000, amount_minor=5000, monthly_cap_minor=10000, enabled=True)
NOW = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)


def test_a_balance_under_the_threshold_calls_for_a_recharge() -> None:
    assert RULE.recharge_due(Balance(paid=999), open_recharge=False, recharged_this_month_minor=0)
    assert not RULE.recharge_due(Balance(paid=1000), open_recharge=False, recharged_this_month_minor=0)


def test_no_second_recharge_while_one_is_open() -> None:
    assert not RULE.recharge_due(Balance(paid=0), open_recharge=True, recharged_this_month_minor=0)


def test_the_monthly_cap_allows_only_recharges_that_fit() -> None:
    assert RULE.recharge_due(Balance(), open_recharge=False, recharged_this_month_minor=5000)
    assert not RULE.recharge_due(Balance(), open_recharge=False, recharged_this_month_minor=5001)


def test_a_paused_or_disabled_auto_recharge_charges_nothing() -> None:
    paused = AutoRecharge(threshold_minor=1000, amount_minor=5000, enabled=True, paused=True)
    disabled = AutoRecharge(threshold_minor=1000, amount_minor=5000, enabled=False)

    assert not paused.recharge_due(Balance(), open_recharge=False, recharged_this_month_minor=0)
    assert not disabled.recharge_due(Balance(), open_recharge=False, recharged_this_month_minor=0)


def test_low_balance_is_said_when_crossing_under_the_threshold_not_while_staying_under() -> None:
    assert RULE.crossed_under(Balance(paid=1000), Balance(paid=999))
    assert not RULE.crossed_under(Balance(paid=900), Balance(paid=800))
    assert not RULE.crossed_under(Balance(paid=2000), Balance(paid=1000))


def test_settings_that_cannot_work_are_refused() -> None:
    with pytest.raises(InvalidAutoRecharge):
        AutoRecharge(threshold_minor=1000, amount_minor=None, enabled=True)
    with pytest.raises(InvalidAutoRecharge):
        AutoRecharge(threshold_minor=1000, amount_minor=5000, monthly_cap_minor=4999, enabled=True)
    with pytest.raises(InvalidAutoRecharge):
        AutoRecharge(threshold_minor=-1, amount_minor=5000)


def test_declines_are_retried_later_each_time_then_auto_recharge_pauses() -> None:
    policy = RechargeRetryPolicy(
        max_failures=3, first_delay=timedelta(hours=1), longest_delay=timedelta(hours=3)
    )

    first, second, third = (policy.after_decline(before, NOW) for before in (0, 1, 2))

    assert (first.paused, first.next_attempt_at) == (False, NOW + timedelta(hours=1))
    assert (second.paused, second.next_attempt_at) == (False, NOW + timedelta(hours=2))
    assert (third.paused, third.next_attempt_at, third.failures_in_a_row) == (True, None, 3)


def test_the_monthly_cap_counts_from_the_first_of_the_month_utc() -> None:
    assert month_start(NOW) == datetime(2026, 11, 1, tzinfo=UTC)


def test_each_attempt_at_a_charge_has_its_own_idempotency_key_derived_from_the_charge() -> None:
    first = idempotency_key(ChargeKind.AUTO_RECHARGE, "r1", 1)

    assert first == idempotency_key(ChargeKind.AUTO_RECHARGE, "r1", 1)
    assert first != idempotency_key(ChargeKind.AUTO_RECHARGE, "r1", 2)
