"""Money on the wire: integer minor units and an ISO 4217 currency, never a float."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Currency(StrEnum):
    """The currencies Tessera invoices in."""

    CHF = "CHF"
    EUR = "EUR"


class Money(BaseModel):
    """An amount in minor units (centimes, cents) of one currency."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    amount_minor: int = Field(description="Amount in the currency's minor unit, e.g. 1990 = 19.90.")
    currency: Currency
