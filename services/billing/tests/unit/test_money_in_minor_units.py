"""Money is counted in integer minor units of one currency; floats never get in."""

from decimal import Decimal

import pytest

from tessera_billing.domain.errors import CurrencyMismatch
from tessera_billing.domain.money import Currency, Money


def test_a_price_is_kept_in_centimes() -> None:
    price = Money(11900, Currency.CHF)

    assert price.amount_minor == 11900
    assert price.currency is Currency.CHF


@pytest.mark.parametrize("amount", [119.0, 0.1, Decimal("119.00"), "11900", True])
def test_money_refuses_anything_but_an_integer_amount(amount: object) -> None:
    with pytest.raises(TypeError, match="integer minor units"):
        Money(amount, Currency.CHF)  # type: ignore[arg-type]


def test_money_refuses_a_currency_it_does_not_know() -> None:
    with pytest.raises(TypeError, match="currency"):
        Money(100, "USD")  # type: ignore[arg-type]


def test_adding_amounts_stays_exact_in_minor_units() -> None:
    total = Money(10, Currency.EUR) + Money(20, Currency.EUR)

    assert total == Money(30, Currency.EUR)
    assert isinstance(total.amount_minor, int)


def test_francs_and_euros_are_never_added_together() -> None:
    with pytest.raises(CurrencyMismatch):
        Money(350, Currency.CHF) + Money(320, Currency.EUR)
