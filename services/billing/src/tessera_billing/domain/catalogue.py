"""The catalogue: what Tessera sells, for how long, and its public price in each currency."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from tessera_billing.domain.errors import PriceNotOffered
from tessera_billing.domain.money import Currency, Money
from tessera_billing.domain.periods import Period


@dataclass(frozen=True)
class Product:
    """A product and its public prices, one per currency, for one period."""

    code: str
    name: str
    period: Period
    prices: Mapping[Currency, Money] = field(default_factory=dict)

    def price_in(self, currency: Currency) -> Money:
        """The public price per period in ``currency``."""
        price = self.prices.get(currency)
        if price is None:
            raise PriceNotOffered(f"{self.name} has no price in {currency}")
        return price
