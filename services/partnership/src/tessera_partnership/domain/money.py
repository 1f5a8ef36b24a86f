"""Amounts of money: integer minor units and an ISO currency, never floats."""

from dataclasses import dataclass

CURRENCIES = frozenset({"CHF", "EUR"})


@dataclass(frozen=True, order=True)
class Money:
    """An amount in minor units (centimes, cents) of a currency Tessera bills in."""

    amount_minor: int
    currency: str

    def __str__(self) -> str:
        return f"{self.currency} {self.amount_minor // 100}.{self.amount_minor % 100:02d}"
