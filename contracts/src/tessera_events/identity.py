"""Events the identity service publishes: organisations, users, memberships, signing keys."""

from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, EmailStr, Field

from tessera_events.envelope import EventData
from tessera_events.topics import Topic

ORGANISATIONS = Topic(
    name="tessera.identity.organisations.v1",
    owner="identity",
    key="organisation_id",
    description="Organisations and their members: registration, profile changes, memberships.",
)
USERS = Topic(
    name="tessera.identity.users.v1",
    owner="identity",
    key="user_id",
    description="People: registration and changes to their e-mail address and locale.",
)
SIGNING_KEYS = Topic(
    name="tessera.identity.signing-keys.v1",
    owner="identity",
    key="key_id",
    description=(
        "Public keys that verify identity's access tokens. Every service keeps them locally, so "
        "no service calls identity to check a token."
    ),
    partitions=1,
)
TOPICS = (ORGANISATIONS, USERS, SIGNING_KEYS)


class OrganisationKind(StrEnum):
    """Whether an organisation is a company or an individual."""

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
    """A member's role in an organisation."""

    LEGAL_REPRESENTATIVE = "legal_representative"
    ADMINISTRATOR = "administrator"
    MEMBER = "member"


class OrganisationRegistered(EventData):
    """An organisation was created."""

    EVENT_TYPE: ClassVar[str] = "tessera.identity.OrganisationRegistered.v1"
    TOPIC: ClassVar[Topic] = ORGANISATIONS
    KEY_FIELD: ClassVar[str] = "organisation_id"

    organisation_id: UUID
    name: str
    kind: OrganisationKind
    country: str = Field(pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2, upper case.")
    locale: Locale
    billing_email: EmailStr
    registered_at: AwareDatetime


class MembershipGranted(EventData):
    """A user became a member of an organisation, or their role changed."""

    EVENT_TYPE: ClassVar[str] = "tessera.identity.MembershipGranted.v1"
    TOPIC: ClassVar[Topic] = ORGANISATIONS
    KEY_FIELD: ClassVar[str] = "organisation_id"

    organisation_id: UUID
    user_id: UUID
    role: Role


class UserRegistered(EventData):
    """A person got an account."""

    EVENT_TYPE: ClassVar[str] = "tessera.identity.UserRegistered.v1"
    TOPIC: ClassVar[Topic] = USERS
    KEY_FIELD: ClassVar[str] = "user_id"

    user_id: UUID
    email: EmailStr
    display_name: str
    locale: Locale


class SigningKeyPublished(EventData):
    """A public key that verifies access tokens from ``not_before`` on."""

    EVENT_TYPE: ClassVar[str] = "tessera.identity.SigningKeyPublished.v1"
    TOPIC: ClassVar[Topic] = SIGNING_KEYS
    KEY_FIELD: ClassVar[str] = "key_id"

    key_id: str
    algorithm: str = Field(description="JWS algorithm, e.g. EdDSA.")
    public_key_pem: str
    not_before: AwareDatetime
    expires_at: AwareDatetime | None = Field(
        default=None, description="After this instant tokens signed with the key are refused."
    )


EVENTS: tuple[type[EventData], ...] = (
    OrganisationRegistered,
    MembershipGranted,
    UserRegistered,
    SigningKeyPublished,
)
