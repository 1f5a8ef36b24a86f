"""Money as integer minor units of one currency: never a float, so no amount is ever off by a rounding."""

from dataclasses import dataclass
from enum import StrEnum

from tessera_billing.domain.errors import CurrencyMismatch


class Currency(StrEnum):
    """The currencies Tessera sells in."""

    CHF = "CHF"
    EUR = "EUR"


@dataclass(frozen=True)
class Money:
    """An amount in minor units (centimes, cents) of one currency."""

    amount_minor: int
    currency: Currency

    def __post_init__(self) -> None:
        # bool is an int subclass and a float slips in from careless arithmetic: refuse both loudly.
        if isinstance(self.amount_minor, bool) or not isinstance(self.amount_minor, int):
            raise TypeError(
                f"money is counted in integer minor units, not {type(self.amount_minor).__name__}"
            )
        if not isinstance(self.currency, Currency):
            raise TypeError(f"unknown currency {self.currency!r}")

    def __add__(self, other: "Money") -> "Money":
        """The sum of two amounts of the same currency."""
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount_minor + other.amount_minor, self.currency)
