"""Company registry numbers checked with python-stdnum: CHE UID, SIREN/SIRET, or the country's equivalent."""

from types import ModuleType

from stdnum import exceptions as stdnum_errors
from stdnum.at import businessid as at_businessid
from stdnum.be import vat as be_enterprise_number
from stdnum.ch import uid as ch_uid
from stdnum.de import handelsregisternummer as de_handelsregister
from stdnum.es import cif as es_cif
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.it import iva as it_partita_iva
from stdnum.lu import tva as lu_tva
from stdnum.nl import btw as nl_btw
from stdnum.pl import regon as pl_regon
from stdnum.pt import nif as pt_nif
from stdnum.us import ein as us_ein

# The number each country's commercial register gives a company (or, where stdnum knows no register
# number, the company number every business gets from the state: Italy's partita IVA, Spain's CIF).
REGISTRY_FORMATS: dict[str, tuple[ModuleType, ...]] = {
    "CH": (ch_uid,),
    "LI": (ch_uid,),
    "FR": (fr_siren, fr_siret),
    "DE": (de_handelsregister,),
    "AT": (at_businessid,),
    "IT": (it_partita_iva,),
    "ES": (es_cif,),
    "BE": (be_enterprise_number,),
    "LU": (lu_tva,),
    "NL": (nl_btw,),
    "PT": (pt_nif,),
    "PL": (pl_regon,),
    "US": (us_ein,),
}


class InvalidRegistryNumber(ValueError):
    """The number is not a valid registry number of the country (or the country has no known format)."""


def checked_registry_number(country: str, number: str) -> str:
    """The number in its compact form if it is a valid registry number in ``country``."""
    formats = REGISTRY_FORMATS.get(country.upper())
    if formats is None:
        supported = ", ".join(sorted(REGISTRY_FORMATS))
        raise InvalidRegistryNumber(
            f"no registry number format is known for {country}; supported: {supported}"
        )
    for module in formats:
        try:
            compact: str = module.validate(number)
            return compact
        except stdnum_errors.ValidationError:
            continue
    names = " or ".join(module.__name__.rsplit(".", 1)[-1] for module in formats)
    raise InvalidRegistryNumber(f"{number!r} is not a valid {country} registry number ({names})")
