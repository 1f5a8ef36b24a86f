"""Tax: Swiss VAT for Swiss customers, EU reverse charge for EU companies with a valid VAT number,
the standard rate otherwise, each with the reason the invoice prints."""

import pytest

from tessera_billing.domain.money import Currency, Money
from tessera_billing.domain.tax import UNKNOWN_PAYER, TaxProfile, TaxTreatment, assess


def profile(country: str | None, *, company: bool = True, vat: str | None = None) -> TaxProfile:
    return TaxProfile(name="Acme", country=country, is_company=company, vat_number=vat)


@pytest.mark.parametrize("country", ["CH", "LI"])
def test_customers_in_switzerland_pay_swiss_vat(country: str) -> None:
    tax = assess(profile(country, vat="DE123456789"))

    assert tax.treatment is TaxTreatment.SWISS_VAT
    assert tax.rate_bp == 810
    assert tax.reason.startswith("Swiss VAT 8.1 %")


def test_an_eu_company_with_a_valid_vat_number_is_reverse_charged() -> None:
    tax = assess(profile("DE", vat="DE123456789"))

    assert tax.treatment is TaxTreatment.EU_REVERSE_CHARGE
    assert tax.rate_bp == 0
    assert "DE123456789" in tax.reason
    assert "Reverse charge" in tax.reason


def test_greek_vat_numbers_start_with_el() -> None:
    assert assess(profile("GR", vat="EL123456789")).treatment is TaxTreatment.EU_REVERSE_CHARGE


@pytest.mark.parametrize(
    ("country", "company", "vat", "rate"),
    [
        ("FR", False, None, 2000),  # a consumer
        ("DE", True, None, 1900),  # a company without a VAT number
        ("DE", True, "FR12345678901", 1900),  # a VAT number of another country is not valid for it
        ("IT", False, "IT12345678901", 2200),  # an individual is not reverse charged
        ("US", True, None, 810),  # outside Switzerland and the EU: Switzerland's standard rate
    ],
)
def test_everyone_else_pays_the_standard_rate(
    country: str, company: bool, vat: str | None, rate: int
) -> None:
    tax = assess(profile(country, company=company, vat=vat))

    assert tax.treatment is TaxTreatment.STANDARD_RATE
    assert tax.rate_bp == rate


def test_a_payer_billing_does_not_know_yet_pays_the_standard_rate_and_the_invoice_says_why() -> None:
    tax = assess(UNKNOWN_PAYER)

    assert tax.treatment is TaxTreatment.STANDARD_RATE
    assert "country unknown" in tax.reason


def test_tax_is_rounded_half_up_to_the_centime() -> None:
    swiss = assess(profile("CH"))

    assert swiss.tax_on(Money(11900, Currency.CHF)) == Money(964, Currency.CHF)  # 963.9
    assert swiss.tax_on(Money(350, Currency.CHF)) == Money(28, Currency.CHF)  # 28.35
