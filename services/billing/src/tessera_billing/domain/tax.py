"""Tax on an invoice: which treatment applies to the payer, at what rate, and the reason printed.

* Swiss VAT for customers in Switzerland (and Liechtenstein, in the Swiss VAT area);
* EU reverse charge for companies in an EU country with a valid VAT number of that country;
* the standard rate otherwise: the customer's EU country's standard rate (consumers, companies
  without a VAT number), and Switzerland's standard rate for customers elsewhere or unknown.

Every rate lives in :data:`STANDARD_RATES_BP`, the one table.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from tessera_billing.domain.money import Money

SWISS_VAT_AREA = frozenset({"CH", "LI"})
REST_OF_WORLD = "*"
STANDARD_RATES_BP: dict[str, int] = {
    "CH": 810, "LI": 810, REST_OF_WORLD: 810,
    "AT": 2000, "BE": 2100, "BG": 2000, "CY": 1900, "CZ": 2100, "DE": 1900, "DK": 2500, "EE": 2400,
    "ES": 2100, "FI": 2550, "FR": 2000, "GR": 2400, "HR": 2500, "HU": 2700, "IE": 2300, "IT": 2200,
    "LT": 2100, "LU": 1700, "LV": 2100, "MT": 1800, "NL": 2100, "PL": 2300, "PT": 2300, "RO": 2100,
    "SE": 2500, "SI": 2200, "SK": 2300,
}  # fmt: skip
EU_COUNTRIES = frozenset(STANDARD_RATES_BP) - SWISS_VAT_AREA - {REST_OF_WORLD}
# Greece's VAT numbers start with EL, not its ISO code.
VAT_PREFIX = {"GR": "EL"}
VAT_NUMBER = re.compile(r"^[A-Z]{2}[0-9A-Z]{2,13}$")


class TaxTreatment(StrEnum):
    """Why an invoice carries the tax it carries."""

    SWISS_VAT = "swiss_vat"
    EU_REVERSE_CHARGE = "eu_reverse_charge"
    STANDARD_RATE = "standard_rate"


@dataclass(frozen=True)
class OrganisationFacts:
    """What identity said of an organisation at one moment; the latest moment's facts decide its tax."""

    organisation_id: UUID
    name: str
    kind: str
    country: str
    vat_number: str | None
    at: datetime


@dataclass(frozen=True)
class TaxProfile:
    """What tax depends on about a payer (from identity): country, company or not, VAT number."""

    name: str
    country: str | None
    is_company: bool
    vat_number: str | None

    @property
    def has_valid_eu_vat_number(self) -> bool:
        """An EU company's VAT number, well formed and of its own country."""
        if not self.is_company or self.vat_number is None or self.country not in EU_COUNTRIES:
            return False
        prefix = VAT_PREFIX.get(self.country, self.country)
        return bool(VAT_NUMBER.match(self.vat_number)) and self.vat_number.startswith(prefix)


UNKNOWN_PAYER = TaxProfile(name="(organisation not yet known to billing)", country=None, is_company=False,
                           vat_number=None)  # fmt: skip


@dataclass(frozen=True)
class TaxAssessment:
    """The treatment, the rate and the sentence the invoice prints."""

    treatment: TaxTreatment
    rate_bp: int
    reason: str

    def tax_on(self, subtotal: Money) -> Money:
        """The tax on an invoice's subtotal, rounded once."""
        return subtotal.portion(self.rate_bp)


def assess(payer: TaxProfile) -> TaxAssessment:
    """The tax treatment of an invoice to ``payer``."""
    country = payer.country
    if country in SWISS_VAT_AREA:
        rate = STANDARD_RATES_BP[country]
        return TaxAssessment(
            TaxTreatment.SWISS_VAT, rate, f"Swiss VAT {_percent(rate)} (customer in {country})"
        )
    if payer.has_valid_eu_vat_number:
        return TaxAssessment(
            TaxTreatment.EU_REVERSE_CHARGE,
            0,
            f"Reverse charge: VAT to be accounted for by the recipient, VAT number {payer.vat_number} "
            "(Art. 196 Directive 2006/112/EC)",
        )
    if country in EU_COUNTRIES:
        rate = STANDARD_RATES_BP[country]
        return TaxAssessment(
            TaxTreatment.STANDARD_RATE, rate, f"VAT {_percent(rate)}, standard rate of {country}"
        )
    rate = STANDARD_RATES_BP[REST_OF_WORLD]
    where = f"customer in {country}" if country else "customer's country unknown"
    return TaxAssessment(TaxTreatment.STANDARD_RATE, rate, f"VAT {_percent(rate)}, standard rate ({where})")


def _percent(rate_bp: int) -> str:
    return f"{rate_bp / 100:g} %"
