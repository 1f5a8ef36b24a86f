"""The ledger's rules: balanced transactions, complimentary credits spent first, never below zero."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tessera_wallet.domain import ledger
from tessera_wallet.domain.errors import InsufficientCredits, UnbalancedTransaction
from tessera_wallet.domain.ledger import Account, Balance, LedgerTransaction, Posting, TransactionKind


def test_a_top_up_moves_money_from_stripe_clearing_into_paid_credits() -> None:
    transaction = ledger.credit(TransactionKind.TOP_UP, 2500)

    assert transaction.change(Account.PAID) == 2500
    assert transaction.change(Account.STRIPE_CLEARING) == -2500
    assert Balance().after(transaction) == Balance(paid=2500, complimentary=0)


def test_a_complimentary_grant_comes_from_promotions_and_stays_apart_from_paid_credits() -> None:
    transaction = ledger.credit(TransactionKind.COMPLIMENTARY, 700)

    assert Balance(paid=100).after(transaction) == Balance(paid=100, complimentary=700)
    assert transaction.change(Account.PROMOTIONS) == -700


def test_a_debit_spends_complimentary_credits_before_paid_ones() -> None:
    transaction = ledger.debit(Balance(paid=5000, complimentary=1000), 1200)

    assert transaction.change(Account.COMPLIMENTARY) == -1000
    assert transaction.change(Account.PAID) == -200
    assert transaction.change(Account.USAGE_REVENUE) == 1200


def test_a_debit_beyond_the_balance_is_refused_with_what_is_available() -> None:
    with pytest.raises(InsufficientCredits) as refused:
        ledger.debit(Balance(paid=300, complimentary=200), 501)

    assert refused.value.available_minor == 500


def test_a_transaction_whose_postings_do_not_sum_to_zero_cannot_exist() -> None:
    with pytest.raises(UnbalancedTransaction):
        LedgerTransaction(
            TransactionKind.DEBIT, 10, (Posting(Account.PAID, -10), Posting(Account.USAGE_REVENUE, 9))
        )


def test_amounts_are_positive_integers_of_minor_units() -> None:
    with pytest.raises(ValueError, match="positive"):
        ledger.credit(TransactionKind.TOP_UP, 0)
    with pytest.raises(ValueError, match="positive"):
        ledger.debit(Balance(paid=10), -1)
    with pytest.raises(ValueError, match="not a credit"):
        ledger.credit(TransactionKind.DEBIT, 10)


@given(paid=st.integers(0, 10_000), complimentary=st.integers(0, 10_000), amount=st.integers(1, 25_000))
def test_every_debit_balances_and_never_goes_below_zero(paid: int, complimentary: int, amount: int) -> None:
    balance = Balance(paid, complimentary)
    try:
        transaction = ledger.debit(balance, amount)
    except InsufficientCredits:
        assert amount > balance.total
        return
    after = balance.after(transaction)
    assert sum(p.amount_minor for p in transaction.postings) == 0
    assert after.paid >= 0
    assert after.complimentary >= 0
    assert after.total == balance.total - amount
    assert after.paid == paid or after.complimentary == 0, "paid credits are touched only once gifts are gone"
