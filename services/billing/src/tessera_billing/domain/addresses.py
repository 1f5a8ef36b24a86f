"""Billing addresses: where an organisation's invoices are addressed, one of them the default."""

from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from tessera_billing.domain.errors import BillingRuleBroken

# ISO 3166-1 alpha-2, the 249 assigned codes (as in the tz database's iso3166.tab), kept as text:
# they read better so than as a 249-item list literal.
COUNTRY_CODES = frozenset(
    (  # noqa: SIM905
        "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI "
        "BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN "
        "CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK "
        "FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM "
        "HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
        "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK "
        "ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP "
        "NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW "
        "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF "
        "TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
        "VN VU WF WS YE YT ZA ZM ZW "
    ).split()
)


class InvalidAddress(BillingRuleBroken):
    """An address with an unknown country or a missing line."""


class UnknownAddress(BillingRuleBroken):
    """The organisation has no such billing address."""


@dataclass(frozen=True)
class PostalAddress:
    """An address as printed on an invoice."""

    name: str
    line1: str
    postal_code: str
    city: str
    country: str
    line2: str | None = None
    region: str | None = None

    def __post_init__(self) -> None:
        country = self.country.strip().upper()
        if country not in COUNTRY_CODES:
            raise InvalidAddress(f"{self.country!r} is not an ISO 3166-1 alpha-2 country code")
        for name in ("name", "line1", "postal_code", "city"):
            if not getattr(self, name).strip():
                raise InvalidAddress(f"{name} must not be blank")
        object.__setattr__(self, "country", country)


@dataclass(frozen=True)
class BillingAddress:
    """One of an organisation's billing addresses."""

    address_id: UUID
    address: PostalAddress
    created_at: datetime
    updated_at: datetime
    default: bool = False


@dataclass
class AddressBook:
    """An organisation's billing addresses; exactly one is the default whenever there is any."""

    organisation_id: UUID
    addresses: list[BillingAddress] = field(default_factory=list)

    def find(self, address_id: UUID) -> BillingAddress:
        """One address; UnknownAddress otherwise."""
        for entry in self.addresses:
            if entry.address_id == address_id:
                return entry
        raise UnknownAddress(f"no billing address {address_id}")

    def add(self, address_id: UUID, address: PostalAddress, at: datetime, *, default: bool) -> BillingAddress:
        """A new address; the first one is the default whatever was asked."""
        entry = BillingAddress(address_id, address, at, at, default=default or not self.addresses)
        self.addresses.append(entry)
        if entry.default:
            self._make_default(address_id)
        return entry

    def change(
        self, address_id: UUID, address: PostalAddress, at: datetime, *, default: bool
    ) -> BillingAddress:
        """Replace an address; ``default`` makes it the default (the default moves, it is never unset)."""
        current = self.find(address_id)
        changed = replace(current, address=address, updated_at=at)
        self.addresses = [changed if entry is current else entry for entry in self.addresses]
        if default:
            self._make_default(address_id)
        return self.find(address_id)

    def remove(self, address_id: UUID) -> None:
        """Forget an address; if it was the default, the oldest remaining one becomes the default."""
        removed = self.find(address_id)
        self.addresses = [entry for entry in self.addresses if entry is not removed]
        if removed.default and self.addresses:
            self._make_default(min(self.addresses, key=lambda entry: entry.created_at).address_id)

    def _make_default(self, address_id: UUID) -> None:
        self.addresses = [replace(entry, default=entry.address_id == address_id) for entry in self.addresses]
