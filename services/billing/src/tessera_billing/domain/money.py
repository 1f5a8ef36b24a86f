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

    @classmethod
    def zero(cls, currency: Currency) -> "Money":
        """Nothing, in ``currency``."""
        return cls(0, currency)

    def portion(self, rate_bp: int) -> "Money":
        """``rate_bp`` basis points of this amount (2000 = 20 %), rounded half up to the minor unit.

        The one rounding rule of billing: discounts, tax and cashback are each rounded once, here,
        on an amount that is already whole minor units, so nothing drifts across lines or periods.
        """
        if not 0 <= rate_bp <= 10_000:
            raise ValueError(f"a rate is between 0 and 10000 basis points, not {rate_bp}")
        if self.amount_minor < 0:
            raise ValueError("a portion is taken of an amount that is not negative")
        return Money((self.amount_minor * rate_bp + 5_000) // 10_000, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        """The difference of two amounts of the same currency."""
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot subtract {other.currency} from {self.currency}")
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __add__(self, other: "Money") -> "Money":
        """The sum of two amounts of the same currency."""
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount_minor + other.amount_minor, self.currency)
