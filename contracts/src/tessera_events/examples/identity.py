"""Examples of identity's events."""

from datetime import date

from tessera_events.envelope import EventData
from tessera_events.examples.common import CLIENT, USER, example_at, example_id
from tessera_events.identity import (
    ApiTokenDeactivated,
    ApiTokenDeactivationWarned,
    Locale,
    MembershipGranted,
    MembershipRevoked,
    OrganisationKind,
    OrganisationRegistered,
    OrganisationUpdated,
    Role,
    SecurityAlertKind,
    SecurityAlertRaised,
    SessionsRevoked,
    SessionsRevokedReason,
    SigningKeyPublished,
    TokenDeactivationReason,
    UserProfileChanged,
    UserRegistered,
)

_TOKEN = example_id("api-token")

_ED25519_PUBLIC_KEY = (  # the example key of RFC 8410, section 10.1
    "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
    "-----END PUBLIC KEY-----\n"
)

EXAMPLES: tuple[EventData, ...] = (
    OrganisationRegistered(
        organisation_id=CLIENT,
        name="Muster AG",
        kind=OrganisationKind.COMPANY,
        country="CH",
        locale=Locale.DE,
        billing_email="billing@muster.example",
        registered_at=example_at(1, 9),
    ),
    MembershipGranted(organisation_id=CLIENT, user_id=USER, role=Role.ADMINISTRATOR),
    UserRegistered(
        user_id=USER, email="anna.muster@muster.example", display_name="Anna Muster", locale=Locale.DE
    ),
    SigningKeyPublished(
        key_id="2025-03-a",
        algorithm="EdDSA",
        public_key_pem=_ED25519_PUBLIC_KEY,
        not_before=example_at(1, 0),
        expires_at=example_at(31, 0),
    ),
    OrganisationUpdated(
        organisation_id=CLIENT,
        name="Muster AG",
        kind=OrganisationKind.COMPANY,
        country="DE",
        locale=Locale.DE,
        billing_email="billing@muster.example",
        vat_number="DE136695976",
        registry_number=None,
        changed_fields=("country", "vat_number"),
        updated_at=example_at(2, 9),
    ),
    MembershipRevoked(
        organisation_id=CLIENT,
        user_id=example_id("user:former"),
        role=Role.MEMBER,
        revoked_by_user_id=USER,
        revoked_at=example_at(2, 10),
    ),
    UserProfileChanged(
        user_id=USER,
        email="anna@muster.example",
        display_name="Anna Muster",
        locale=Locale.DE,
        previous_email="anna.muster@muster.example",
        changed_at=example_at(2, 11),
    ),
    SecurityAlertRaised(
        alert_id=example_id("security-alert"),
        user_id=USER,
        kind=SecurityAlertKind.TWO_FACTOR_DISABLED,
        occurred_at=example_at(2, 12),
    ),
    ApiTokenDeactivationWarned(
        token_id=_TOKEN,
        owner_user_id=USER,
        organisation_id=CLIENT,
        token_name="deploy pipeline",
        last_used_at=example_at(1, 8),
        deactivates_on=date(2025, 4, 2),
    ),
    ApiTokenDeactivated(
        token_id=_TOKEN,
        owner_user_id=USER,
        organisation_id=CLIENT,
        token_name="deploy pipeline",
        reason=TokenDeactivationReason.UNUSED,
        deactivated_at=example_at(2, 13),
    ),
    SessionsRevoked(
        user_id=USER,
        reason=SessionsRevokedReason.PASSWORD_CHANGED,
        revoked_at=example_at(2, 14),
    ),
)
