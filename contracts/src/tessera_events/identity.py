"""Events the identity service publishes: organisations, users, memberships, signing keys."""

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, EmailStr, Field

from tessera_events.envelope import EventData
from tessera_events.topics import DAY_MS, Topic

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
API_TOKENS = Topic(
    name="tessera.identity.api-tokens.v1",
    owner="identity",
    key="token_id",
    description="The lifecycle of API tokens that others should hear about: warnings and deactivation.",
)
SECURITY_ALERTS = Topic(
    name="tessera.identity.security-alerts.v1",
    owner="identity",
    key="user_id",
    description="Security-relevant changes to a person's sign-in (2FA, recovery, passwords, tokens).",
    retention_ms=90 * DAY_MS,
)
TOPICS = (ORGANISATIONS, USERS, SIGNING_KEYS, API_TOKENS, SECURITY_ALERTS)


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
    vat_number: str | None = Field(default=None, description="EU VAT number, validated, compact form.")
    registry_number: str | None = Field(
        default=None, description="Company registry number (CHE UID, SIREN/SIRET, ...), compact form."
    )


class MembershipGranted(EventData):
    """A user became a member of an organisation, or their role changed."""

    EVENT_TYPE: ClassVar[str] = "tessera.identity.MembershipGranted.v1"
    TOPIC: ClassVar[Topic] = ORGANISATIONS
    KEY_FIELD: ClassVar[str] = "organisation_id"

    organisation_id: UUID
    user_id: UUID
    role: Role
    previous_role: Role | None = Field(
        default=None, description="The role before a change; none for a new member."
    )
    changed_by_user_id: UUID | None = None


class MembershipRevoked(EventData):
    """A user is no longer a member of an organisation."""

    EVENT_TYPE: ClassVar[str] = "tessera.identity.MembershipRevoked.v1"
    TOPIC: ClassVar[Topic] = ORGANISATIONS
    KEY_FIELD: ClassVar[str] = "organisation_id"

    organisation_id: UUID
    user_id: UUID
    role: Role = Field(description="The role the user had.")
    revoked_by_user_id: UUID | None
    revoked_at: AwareDatetime


class OrganisationUpdated(EventData):
    """An organisation's profile changed; carries the whole profile after the change."""

    EVENT_TYPE: ClassVar[str] = "tessera.identity.OrganisationUpdated.v1"
    TOPIC: ClassVar[Topic] = ORGANISATIONS
    KEY_FIELD: ClassVar[str] = "organisation_id"

    organisation_id: UUID
    name: str
    kind: OrganisationKind
    country: str = Field(pattern="^[A-Z]{2}$")
    locale: Locale
    billing_email: EmailStr
    vat_number: str | None = Field(description="EU VAT number, validated, compact form; none if not given.")
    registry_number: str | None
    changed_fields: tuple[str, ...] = Field(description="Names of the fields this change touched.")
    updated_at: AwareDatetime


class UserRegistered(EventData):
    """A person got an account."""

    EVENT_TYPE: ClassVar[str] = "tessera.identity.UserRegistered.v1"
    TOPIC: ClassVar[Topic] = USERS
    KEY_FIELD: ClassVar[str] = "user_id"

    user_id: UUID
    email: EmailStr
    display_name: str
    locale: Locale


class SessionsRevokedReason(StrEnum):
    """Why every access token a person held until now stopped working."""

    PASSWORD_CHANGED = "password_changed"
    SIGNED_OUT_EVERYWHERE = "signed_out_everywhere"
    TWO_FACTOR_RESET = "two_factor_reset"


class SessionsRevoked(EventData):
    """Every access token issued to the person before ``revoked_at`` is refused from now on.

    Services keep the instant per user and refuse a token whose ``iat`` is earlier, so a changed
    password ends every session within seconds instead of at the tokens' expiry.
    """

    EVENT_TYPE: ClassVar[str] = "tessera.identity.SessionsRevoked.v1"
    TOPIC: ClassVar[Topic] = USERS
    KEY_FIELD: ClassVar[str] = "user_id"

    user_id: UUID
    reason: SessionsRevokedReason
    revoked_at: AwareDatetime


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


class UserProfileChanged(EventData):
    """A person's e-mail address, name or language changed; carries the profile after the change."""

    EVENT_TYPE: ClassVar[str] = "tessera.identity.UserProfileChanged.v1"
    TOPIC: ClassVar[Topic] = USERS
    KEY_FIELD: ClassVar[str] = "user_id"

    user_id: UUID
    email: EmailStr
    display_name: str
    locale: Locale
    previous_email: EmailStr | None = Field(description="Set when the e-mail address changed.")
    changed_at: AwareDatetime


class SecurityAlertKind(StrEnum):
    """What happened to a person's sign-in."""

    TWO_FACTOR_ENABLED = "two_factor_enabled"
    TWO_FACTOR_DISABLED = "two_factor_disabled"
    BACKUP_CODES_REGENERATED = "backup_codes_regenerated"
    RECOVERY_REQUESTED = "recovery_requested"
    RECOVERY_APPROVED = "recovery_approved"
    RECOVERY_REJECTED = "recovery_rejected"
    PASSWORD_CHANGED = "password_changed"
    APP_PASSWORD_CREATED = "app_password_created"
    API_TOKEN_CREATED = "api_token_created"


class SecurityAlertRaised(EventData):
    """Something changed in how a person signs in; they are always told."""

    EVENT_TYPE: ClassVar[str] = "tessera.identity.SecurityAlertRaised.v1"
    TOPIC: ClassVar[Topic] = SECURITY_ALERTS
    KEY_FIELD: ClassVar[str] = "user_id"

    alert_id: UUID
    user_id: UUID
    kind: SecurityAlertKind
    occurred_at: AwareDatetime
    detail: str | None = Field(
        default=None, description="A short, secret-free detail (an app password's name, a rejection reason)."
    )


class TokenDeactivationReason(StrEnum):
    """Why an API token stopped working."""

    UNUSED = "unused"
    EXPIRED = "expired"
    REVOKED = "revoked"


class ApiTokenDeactivationWarned(EventData):
    """An API token unused for a long time will be deactivated on ``deactivates_on``."""

    EVENT_TYPE: ClassVar[str] = "tessera.identity.ApiTokenDeactivationWarned.v1"
    TOPIC: ClassVar[Topic] = API_TOKENS
    KEY_FIELD: ClassVar[str] = "token_id"

    token_id: UUID
    owner_user_id: UUID
    organisation_id: UUID
    token_name: str
    last_used_at: AwareDatetime | None
    deactivates_on: date


class ApiTokenDeactivated(EventData):
    """An API token is refused from now on."""

    EVENT_TYPE: ClassVar[str] = "tessera.identity.ApiTokenDeactivated.v1"
    TOPIC: ClassVar[Topic] = API_TOKENS
    KEY_FIELD: ClassVar[str] = "token_id"

    token_id: UUID
    owner_user_id: UUID
    organisation_id: UUID
    token_name: str
    reason: TokenDeactivationReason
    deactivated_at: AwareDatetime


EVENTS: tuple[type[EventData], ...] = (
    OrganisationRegistered,
    OrganisationUpdated,
    MembershipGranted,
    MembershipRevoked,
    UserRegistered,
    UserProfileChanged,
    SessionsRevoked,
    SigningKeyPublished,
    SecurityAlertRaised,
    ApiTokenDeactivationWarned,
    ApiTokenDeactivated,
)
