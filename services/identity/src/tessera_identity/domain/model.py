"""Organisations, the people who sign in, and the memberships that tie them together."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from tessera_identity.domain.countries import is_assigned_country
from tessera_identity.domain.errors import (
    InvalidOrganisation,
    InvalidUser,
    LegalRepresentativeRequired,
    WeakPassword,
)

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


@dataclass(frozen=True)
class Membership:
    """A person's role in one organisation."""

    organisation_id: UUID
    user_id: UUID
    role: Role
    granted_at: datetime


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
    ) -> "Organisation":
        """A new organisation with the person who signed it up as its legal representative."""
        country_code = country.strip().upper()
        if not is_assigned_country(country_code):
            raise InvalidOrganisation(f"{country!r} is not an ISO 3166-1 alpha-2 country code")
        try:
            billing = normalise_email(billing_email)
        except InvalidUser as error:
            raise InvalidOrganisation(f"billing e-mail: {error}") from error
        organisation_id = uuid4()
        return cls(
            id=organisation_id,
            name=_name(name, "an organisation's name", InvalidOrganisation),
            kind=kind,
            country=country_code,
            locale=locale,
            billing_email=billing,
            registered_at=at,
            memberships=(
                Membership(organisation_id, legal_representative.id, Role.LEGAL_REPRESENTATIVE, at),
            ),
        )
