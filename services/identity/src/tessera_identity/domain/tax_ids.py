"""EU VAT numbers and company registry numbers, checked with python-stdnum (format and check digits)."""

from collections.abc import Callable
from types import ModuleType

from stdnum import exceptions as stdnum_errors
from stdnum.at import businessid as at_firmenbuch
from stdnum.be import vat as be_enterprise
from stdnum.ch import uid as ch_uid
from stdnum.de import handelsregisternummer as de_handelsregister
from stdnum.dk import cvr as dk_cvr
from stdnum.ee import registrikood as ee_registrikood
from stdnum.es import cif as es_cif
from stdnum.eu import vat as eu_vat
from stdnum.fi import ytunnus as fi_ytunnus
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.it import iva as it_iva
from stdnum.no import orgnr as no_orgnr
from stdnum.pl import regon as pl_regon
from stdnum.pt import nif as pt_nif
from stdnum.se import orgnr as se_orgnr

from tessera_identity.domain.errors import InvalidTaxId

# Greece's VAT numbers start with EL, not with its ISO code GR.
_VAT_PREFIX = {"GR": "EL"}
EU_MEMBER_STATES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)

# Every prefix an EU VAT number can start with; a number without one gets its country's.
_PREFIXES = frozenset(_VAT_PREFIX.get(code, code) for code in EU_MEMBER_STATES) | {"GR", "XI", "CH", "GB"}


def _french_registry(number: str) -> str:
    # A SIREN names the company (9 digits); a SIRET one of its establishments (14 digits).
    digits = fr_siren.compact(number)
    return str((fr_siret if len(digits) == 14 else fr_siren).validate(number))


def _module(module: ModuleType) -> Callable[[str], str]:
    def validate(number: str) -> str:
        return str(module.validate(number))

    return validate


REGISTRY_NAMES: dict[str, str] = {
    "AT": "Firmenbuchnummer",
    "BE": "enterprise number (KBO/BCE)",
    "CH": "CHE UID",
    "DE": "Handelsregisternummer",
    "DK": "CVR number",
    "EE": "registrikood",
    "ES": "CIF",
    "FI": "Y-tunnus",
    "FR": "SIREN or SIRET",
    "IT": "partita IVA",
    "LI": "CHE UID",
    "NO": "organisasjonsnummer",
    "PL": "REGON",
    "PT": "NIPC",
    "SE": "organisationsnummer",
}
_REGISTRY_VALIDATORS: dict[str, Callable[[str], str]] = {
    "AT": _module(at_firmenbuch),
    "BE": _module(be_enterprise),
    "CH": _module(ch_uid),
    "DE": _module(de_handelsregister),
    "DK": _module(dk_cvr),
    "EE": _module(ee_registrikood),
    "ES": _module(es_cif),
    "FI": _module(fi_ytunnus),
    "FR": _french_registry,
    "IT": _module(it_iva),
    "NO": _module(no_orgnr),
    "PL": _module(pl_regon),
    "PT": _module(pt_nif),
    "SE": _module(se_orgnr),
}
MAX_REGISTRY_NUMBER_LENGTH = 64


def eu_vat_number(country: str, raw: str) -> str:
    """An EU VAT number in compact form with its country prefix, checked for the company's country.

    A number given without its prefix gets the country's (``EL`` for Greece). Switzerland and
    Liechtenstein are outside the EU VAT area: their CHE UID is a registry number, not a VAT id.
    """
    if country in {"CH", "LI"}:
        raise InvalidTaxId(
            "a Swiss or Liechtenstein company has no EU VAT number: its CHE UID (CHE-123.456.789) is a "
            "company registry number, not an EU VAT id; give it as registry_number instead"
        )
    if country not in EU_MEMBER_STATES:
        raise InvalidTaxId(
            f"only companies registered in an EU member state have an EU VAT number, not {country}"
        )
    prefix = _VAT_PREFIX.get(country, country)
    number = "".join(char for char in raw if char not in " -./").upper()
    if number[:2] not in _PREFIXES:
        number = prefix + number
    elif number[:2] in _VAT_PREFIX:  # GR... written the ISO way
        number = _VAT_PREFIX[number[:2]] + number[2:]
    if number[:2] != prefix:
        raise InvalidTaxId(f"{raw!r} is a VAT number of {number[:2]}, but the organisation is in {country}")
    try:
        return str(eu_vat.validate(number))
    except stdnum_errors.InvalidChecksum as error:
        raise InvalidTaxId(
            f"{raw!r} is not a valid {prefix} VAT number: its check digits are wrong"
        ) from error
    except stdnum_errors.ValidationError as error:
        raise InvalidTaxId(f"{raw!r} is not a valid {prefix} VAT number: {error}") from error


def registry_number(country: str, raw: str) -> str:
    """A company registry number checked the way its country writes it, in compact form.

    Countries python-stdnum has no registry number for keep the number as given (trimmed).
    """
    validate = _REGISTRY_VALIDATORS.get(country)
    number = " ".join(raw.split())
    if not number or len(number) > MAX_REGISTRY_NUMBER_LENGTH:
        raise InvalidTaxId(f"a registry number has 1 to {MAX_REGISTRY_NUMBER_LENGTH} characters")
    if validate is None:
        return number
    what = REGISTRY_NAMES[country]
    try:
        return str(validate(number))
    except stdnum_errors.InvalidChecksum as error:
        raise InvalidTaxId(f"{raw!r} is not a valid {what}: its check digits are wrong") from error
    except stdnum_errors.ValidationError as error:
        raise InvalidTaxId(f"{raw!r} is not a valid {what} ({country}): {error}") from error
