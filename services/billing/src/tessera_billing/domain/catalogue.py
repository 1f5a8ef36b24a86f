"""The catalogue: what Tessera sells, of what kind, for how long, and its public price in each currency."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from tessera_billing.domain.errors import PriceNotOffered
from tessera_billing.domain.money import Currency, Money
from tessera_billing.domain.periods import Period


class ProductKind(StrEnum):
    """What kind of product it is; subscriptions are listed by it."""

    HOSTING = "hosting"
    DOMAIN = "domain"
    SAAS = "saas"
    RESALE = "resale"
    MARKETPLACE_APP = "marketplace_app"


@dataclass(frozen=True)
class PriceTier:
    """A decreasing price: from the ``min_quantity``-th such product an owner holds, ``discount_bp`` off."""

    min_quantity: int
    discount_bp: int

    @property
    def label(self) -> str:
        """How an invoice line names the tier, e.g. "volume tier 3+ (-10.00 %)"."""
        return f"volume tier {self.min_quantity}+ (-{self.discount_bp / 100:.2f} %)"


@dataclass(frozen=True)
class Product:
    """A product and its public prices, one per currency, for one period."""

    code: str
    name: str
    period: Period
    prices: Mapping[Currency, Money] = field(default_factory=dict)
    kind: ProductKind = ProductKind.HOSTING
    tiers: Sequence[PriceTier] = ()

    def price_in(self, currency: Currency) -> Money:
        """The public price per period in ``currency``."""
        price = self.prices.get(currency)
        if price is None:
            raise PriceNotOffered(f"{self.name} has no price in {currency}")
        return price

    def tier_for(self, quantity: int) -> PriceTier | None:
        """The tier that applies to the ``quantity``-th such product an owner holds (None: full price)."""
        applicable = [tier for tier in self.tiers if tier.min_quantity <= quantity and tier.discount_bp > 0]
        return max(applicable, key=lambda tier: tier.min_quantity, default=None)
