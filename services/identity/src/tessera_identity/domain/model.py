"""Organisations, the people who sign in, and the memberships that tie them together."""

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from tessera_identity.domain.countries import is_assigned_country
from tessera_identity.domain.errors import (
    AlreadyMember,
    InvalidOrganisation,
    InvalidUser,
    LegalRepresentativeRequired,
    NotMember,
    VatTermsNotAccepted,
    WeakPassword,
)
from tessera_identity.domain.tax_ids import eu_vat_number, registry_number

MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 254
MIN_PASSWORD_LENGTH = 10
# argon2 hashes any length, but an unbounded password lets one request burn a core.
MAX_PASSWORD_LENGTH = 1024


class OrganisationKind(StrEnum):
    """Whether an organisation is a company or a private person."""

    COMPANY = "company"
    INDIVIDUAL = "individual"


class Locale(StrEnum):
    """The languages Tessera speaks to people in."""

    EN = "en"
    DE = "de"
    FR = "fr"
    IT = "it"
    ES = "es"


class Role(StrEnum):
    """What a member may do in an organisation."""

    LEGAL_REPRESENTATIVE = "legal_representative"
    ADMINISTRATOR = "administrator"
    MEMBER = "member"


def normalise_email(raw: str) -> str:
    """An e-mail address as identity stores and compares it: trimmed and lower case.

    Addresses are unique regardless of case, because people type them in every case.
    """
    email = raw.strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or not domain or "@" in domain or len(email) > MAX_EMAIL_LENGTH:
        raise InvalidUser(f"{raw!r} is not an e-mail address")
    return email


def check_password_strength(password: str) -> None:
    """Refuse a password that is too short to resist guessing, or absurdly long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"a password may have at most {MAX_PASSWORD_LENGTH} characters")


def _name(raw: str, what: str, error: type[Exception]) -> str:
    name = " ".join(raw.split())
    if not name:
        raise error(f"{what} must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise error(f"{what} may have at most {MAX_NAME_LENGTH} characters")
    return name


@dataclass(frozen=True)
class User:
    """A person who signs in with an e-mail address and a password."""

    id: UUID
    email: str
    display_name: str
    locale: Locale
    password_hash: str = field(repr=False)
    registered_at: datetime

    @classmethod
    def register(
        cls, *, email: str, display_name: str, locale: Locale, password_hash: str, at: datetime
    ) -> "User":
        """A new account; the password must already be checked and hashed."""
        return cls(
            id=uuid4(),
            email=normalise_email(email),
            display_name=_name(display_name, "a display name", InvalidUser),
            locale=locale,
            password_hash=password_hash,
            registered_at=at,
        )

    def with_profile(
        self, *, email: str | None = None, display_name: str | None = None, locale: Locale | None = None
    ) -> "User":
        """The account with the given profile fields replaced (None keeps a field)."""
        return replace(
            self,
            email=self.email if email is None else normalise_email(email),
            display_name=(
                self.display_name
                if display_name is None
                else _name(display_name, "a display name", InvalidUser)
            ),
            locale=self.locale if locale is None else locale,
        )


@dataclass(frozen=True)
class Membership:
    """A person's role in one organisation."""

    organisation_id: UUID
    user_id: UUID
    role: Role
    granted_at: datetime


@dataclass(frozen=True)
class Address:
    """A postal address of an organisation; ``purpose`` says what it is for (billing, postal)."""

    purpose: str
    street: str
    postal_code: str
    city: str
    country: str


@dataclass(frozen=True)
class TaxIds:
    """An organisation's EU VAT number (with who accepted its terms, and when) and registry number."""

    vat_number: str | None = None
    vat_terms_accepted_at: datetime | None = None
    vat_terms_accepted_by: UUID | None = None
    registry_number: str | None = None


@dataclass(frozen=True)
class Organisation:
    """A company or individual customer, and the people who act for it.

    An organisation always has a legal representative: someone must be able to accept contracts
    and be answerable for the account.
    """

    id: UUID
    name: str
    kind: OrganisationKind
    country: str
    locale: Locale
    billing_email: str
    registered_at: datetime
    memberships: tuple[Membership, ...]
    tax_ids: TaxIds = TaxIds()
    addresses: tuple[Address, ...] = ()

    def __post_init__(self) -> None:
        if any(member.organisation_id != self.id for member in self.memberships):
            raise ValueError("a membership of another organisation cannot belong to this one")
        if not any(member.role is Role.LEGAL_REPRESENTATIVE for member in self.memberships):
            raise LegalRepresentativeRequired(f"organisation {self.name!r} needs a legal representative")

    @classmethod
    def register(
        cls,
        *,
        name: str,
        kind: OrganisationKind,
        country: str,
        locale: Locale,
        billing_email: str,
        legal_representative: User,
        at: datetime,
        addresses: tuple[Address, ...] = (),
    ) -> "Organisation":
        """A new organisation with the person who signed it up as its legal representative."""
        country_code = country.strip().upper()
        if not is_assigned_country(country_code):
            raise InvalidOrganisation(f"{country!r} is not an ISO 3166-1 alpha-2 country code")
        organisation_id = uuid4()
        return cls(
            id=organisation_id,
            name=_name(name, "an organisation's name", InvalidOrganisation),
            kind=kind,
            country=country_code,
            locale=locale,
            billing_email=_billing_email(billing_email),
            registered_at=at,
            memberships=(
                Membership(organisation_id, legal_representative.id, Role.LEGAL_REPRESENTATIVE, at),
            ),
            addresses=tuple(_address(address) for address in addresses),
        )

    def member(self, user_id: UUID) -> Membership | None:
        """The person's membership here, or None."""
        return next((m for m in self.memberships if m.user_id == user_id), None)

    def with_profile(
        self,
        *,
        name: str | None = None,
        locale: Locale | None = None,
        billing_email: str | None = None,
        addresses: tuple[Address, ...] | None = None,
    ) -> "Organisation":
        """The organisation with the given profile fields replaced (None keeps a field)."""
        return replace(
            self,
            name=self.name if name is None else _name(name, "an organisation's name", InvalidOrganisation),
            locale=self.locale if locale is None else locale,
            billing_email=self.billing_email if billing_email is None else _billing_email(billing_email),
            addresses=self.addresses if addresses is None else tuple(_address(a) for a in addresses),
        )

    def with_vat_number(
        self, raw: str | None, *, terms_accepted: bool, by: UUID, at: datetime
    ) -> "Organisation":
        """The organisation with a checked EU VAT number (or none), recording who accepted the terms.

        Only companies have one, and only with the terms of intra-EU VAT exemption accepted.
        """
        if raw is None or not raw.strip():
            return replace(self, tax_ids=replace(self.tax_ids, vat_number=None))
        if self.kind is not OrganisationKind.COMPANY:
            raise InvalidOrganisation("only a company can give a VAT number, not an individual")
        number = eu_vat_number(self.country, raw)
        if not terms_accepted:
            raise VatTermsNotAccepted("accept the terms of use for VAT numbers (vat_terms_accepted: true)")
        return replace(
            self,
            tax_ids=replace(
                self.tax_ids, vat_number=number, vat_terms_accepted_at=at, vat_terms_accepted_by=by
            ),
        )

    def with_registry_number(self, raw: str | None) -> "Organisation":
        """The organisation with a checked company registry number (or none)."""
        if raw is None or not raw.strip():
            return replace(self, tax_ids=replace(self.tax_ids, registry_number=None))
        return replace(
            self, tax_ids=replace(self.tax_ids, registry_number=registry_number(self.country, raw))
        )

    def admit(self, user_id: UUID, role: Role, at: datetime) -> "Organisation":
        """The organisation with a new member in ``role``."""
        if self.member(user_id) is not None:
            raise AlreadyMember("this person already belongs to the organisation; change their role instead")
        return replace(self, memberships=(*self.memberships, Membership(self.id, user_id, role, at)))

    def with_role(self, user_id: UUID, role: Role) -> tuple["Organisation", Role]:
        """The organisation with a member's role changed, and the role they had."""
        current = self._existing(user_id)
        if current.role is Role.LEGAL_REPRESENTATIVE and role is not Role.LEGAL_REPRESENTATIVE:
            self._require_another_legal_representative(user_id, "demote")
        changed = tuple(replace(m, role=role) if m.user_id == user_id else m for m in self.memberships)
        return replace(self, memberships=changed), current.role

    def without(self, user_id: UUID) -> tuple["Organisation", Membership]:
        """The organisation without a member, and the membership that ended."""
        current = self._existing(user_id)
        if current.role is Role.LEGAL_REPRESENTATIVE:
            self._require_another_legal_representative(user_id, "remove")
        return replace(self, memberships=tuple(m for m in self.memberships if m.user_id != user_id)), current

    def _existing(self, user_id: UUID) -> Membership:
        membership = self.member(user_id)
        if membership is None:
            raise NotMember("this person does not belong to the organisation")
        return membership

    def _require_another_legal_representative(self, user_id: UUID, verb: str) -> None:
        others = [m for m in self.memberships if m.role is Role.LEGAL_REPRESENTATIVE and m.user_id != user_id]
        if not others:
            raise LegalRepresentativeRequired(
                f"cannot {verb} the last legal representative of {self.name!r}: an organisation always "
                "needs one. Name another legal representative first (add a person with the role "
                "legal_representative, or give it to an existing member), then try again"
            )


def _billing_email(raw: str) -> str:
    try:
        return normalise_email(raw)
    except InvalidUser as error:
        raise InvalidOrganisation(f"billing e-mail: {error}") from error


def _address(address: Address) -> Address:
    country = address.country.strip().upper()
    if not is_assigned_country(country):
        raise InvalidOrganisation(f"address country {address.country!r} is not an ISO 3166-1 alpha-2 code")
    fields = {
        "purpose": address.purpose,
        "street": address.street,
        "postal code": address.postal_code,
        "city": address.city,
    }
    cleaned = {what: " ".join(value.split()) for what, value in fields.items()}
    if missing := [what for what, value in cleaned.items() if not value]:
        raise InvalidOrganisation(f"an address needs its {', '.join(missing)}")
    return Address(cleaned["purpose"], cleaned["street"], cleaned["postal code"], cleaned["city"], country)
