"""EU VAT numbers and company registry numbers, country by country, checked with python-stdnum."""

import pytest

from tessera_identity.domain.errors import InvalidTaxId
from tessera_identity.domain.tax_ids import eu_vat_number, registry_number

VALID_VAT_NUMBERS = [
    ("DE", "DE 136 695 976", "DE136695976"),
    ("FR", "FR40303265045", "FR40303265045"),
    ("AT", "U13585627", "ATU13585627"),
    ("BE", "BE 0403.019.261", "BE0403019261"),
    ("NL", "NL004495445B01", "NL004495445B01"),
    ("IT", "IT00743110157", "IT00743110157"),
    ("ES", "A13585625", "ESA13585625"),
    ("PL", "PL8567346215", "PL8567346215"),
    ("DK", "DK13585628", "DK13585628"),
    ("SE", "SE556188840401", "SE556188840401"),
    ("FI", "FI20774740", "FI20774740"),
    ("IE", "IE6433435F", "IE6433435F"),
    ("PT", "PT501964843", "PT501964843"),
    ("GR", "094259216", "EL094259216"),
    ("GR", "GR094259216", "EL094259216"),
    ("CZ", "CZ25123891", "CZ25123891"),
    ("LU", "LU15027442", "LU15027442"),
]


@pytest.mark.parametrize(("country", "given", "stored"), VALID_VAT_NUMBERS)
def test_an_eu_company_s_vat_number_is_kept_in_compact_form_with_its_prefix(
    country: str, given: str, stored: str
) -> None:
    assert eu_vat_number(country, given) == stored


@pytest.mark.parametrize(
    ("country", "given", "explanation"),
    [
        ("DE", "DE136695978", "check digits are wrong"),
        ("FR", "FR41303265045", "check digits are wrong"),
        ("IT", "IT00743110158", "check digits are wrong"),
        ("NL", "NL004495446B01", "check digits are wrong"),
        ("ES", "ESA13585626", "check digits are wrong"),
        ("DE", "FR40303265045", "VAT number of FR, but the organisation is in DE"),
        ("DE", "DE12", "not a valid DE VAT number"),
        ("CH", "CHE-100.155.212 MWST", "CHE UID .* is a company registry number, not an EU VAT id"),
        ("LI", "CHE-100.155.212", "not an EU VAT id"),
        ("GB", "GB980780684", "only companies registered in an EU member state"),
        ("US", "12-3456789", "only companies registered in an EU member state"),
    ],
)
def test_a_vat_number_that_does_not_hold_is_refused_saying_why(
    country: str, given: str, explanation: str
) -> None:
    with pytest.raises(InvalidTaxId, match=explanation):
        eu_vat_number(country, given)


@pytest.mark.parametrize(
    ("country", "given", "stored"),
    [
        ("CH", "CHE-100.155.212", "CHE100155212"),
        ("FR", "732 829 320", "732829320"),
        ("FR", "732 829 320 00074", "73282932000074"),
        ("DE", "Aachen HRA 11223", "Aachen HRA 11223"),
        ("AT", "FN 122119m", "122119m"),
        ("IT", "00743110157", "00743110157"),
        ("ES", "A13585625", "A13585625"),
        ("PL", "192598184", "192598184"),
        ("DK", "13585628", "13585628"),
        ("SE", "556188-8404", "5561888404"),
        ("NO", "988 077 917", "988077917"),
        ("FI", "2077474-0", "20774740"),
        ("BE", "0403.019.261", "0403019261"),
        ("PT", "501964843", "501964843"),
        ("NL", "KvK 12345678", "KvK 12345678"),
    ],
)
def test_a_registry_number_is_checked_the_way_its_country_writes_it(
    country: str, given: str, stored: str
) -> None:
    assert registry_number(country, given) == stored


@pytest.mark.parametrize(
    ("country", "given", "explanation"),
    [
        ("CH", "CHE-100.155.213", "not a valid CHE UID: its check digits are wrong"),
        ("FR", "732829321", "not a valid SIREN or SIRET: its check digits are wrong"),
        ("FR", "73282932000075", "not a valid SIREN or SIRET: its check digits are wrong"),
        ("DE", "Nowhere HRB 1", "not a valid Handelsregisternummer"),
        ("IT", "00743110158", "not a valid partita IVA"),
        ("DK", "13585627", "not a valid CVR number"),
        ("NO", "988077918", "not a valid organisasjonsnummer"),
        ("PL", "192598185", "not a valid REGON"),
        ("GB", "", "1 to 64 characters"),
    ],
)
def test_a_registry_number_that_does_not_hold_is_refused_saying_why(
    country: str, given: str, explanation: str
) -> None:
    with pytest.raises(InvalidTaxId, match=explanation):
        registry_number(country, given)
