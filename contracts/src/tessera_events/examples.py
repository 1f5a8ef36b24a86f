"""One realistic example of every event type, for the AsyncAPI document, the README and tests.

The examples are deterministic, so generated documents stay byte-for-byte the same.
"""

from datetime import UTC, date, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from tessera_events.billing import BillingPeriod, PayerReassigned, ReassignedSubscription, SubscriptionCreated
from tessera_events.envelope import CloudEvent, EventData
from tessera_events.identity import (
    Locale,
    MembershipGranted,
    OrganisationKind,
    OrganisationRegistered,
    Role,
    SigningKeyPublished,
    UserRegistered,
)
from tessera_events.money import Currency, Money
from tessera_events.notify import EmailDelivered, EmailFailed
from tessera_events.partnership import Access, BillingMode, BillingModeChanged, RelationshipStarted

EXAMPLE_TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
_ED25519_PUBLIC_KEY = (  # the example key of RFC 8410, section 10.1
    "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
    "-----END PUBLIC KEY-----\n"
)


def _id(name: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"urn:tessera:examples:{name}")


def _at(day: int, hour: int) -> datetime:
    return datetime(2025, 3, day, hour, 30, tzinfo=UTC)


_CLIENT, _PARTNER = _id("organisation:client"), _id("organisation:partner")
_RELATIONSHIP, _USER = _id("relationship"), _id("user")
_HOSTING = ReassignedSubscription(
    subscription_id=_id("subscription:hosting"),
    product_code="web-hosting-pro",
    product_name="Web Hosting Pro",
    price=Money(amount_minor=23880, currency=Currency.CHF),
    next_renewal_on=date(2025, 9, 1),
)

EXAMPLE_DATA: tuple[EventData, ...] = (
    OrganisationRegistered(
        organisation_id=_CLIENT,
        name="Muster AG",
        kind=OrganisationKind.COMPANY,
        country="CH",
        locale=Locale.DE,
        billing_email="billing@muster.example",
        registered_at=_at(1, 9),
    ),
    MembershipGranted(organisation_id=_CLIENT, user_id=_USER, role=Role.ADMINISTRATOR),
    UserRegistered(
        user_id=_USER, email="anna.muster@muster.example", display_name="Anna Muster", locale=Locale.DE
    ),
    SigningKeyPublished(
        key_id="2025-03-a",
        algorithm="EdDSA",
        public_key_pem=_ED25519_PUBLIC_KEY,
        not_before=_at(1, 0),
        expires_at=_at(31, 0),
    ),
    RelationshipStarted(
        relationship_id=_RELATIONSHIP,
        partner_organisation_id=_PARTNER,
        client_organisation_id=_CLIENT,
        access=Access.FULL,
        billing_mode=BillingMode.CLIENT_PAYS,
        started_at=_at(2, 10),
    ),
    BillingModeChanged(
        relationship_id=_RELATIONSHIP,
        partner_organisation_id=_PARTNER,
        client_organisation_id=_CLIENT,
        previous_mode=BillingMode.CLIENT_PAYS,
        billing_mode=BillingMode.PARTNER_PAYS,
        effective_at=_at(3, 11),
        changed_by_user_id=_USER,
    ),
    SubscriptionCreated(
        subscription_id=_HOSTING.subscription_id,
        owner_organisation_id=_CLIENT,
        payer_organisation_id=_CLIENT,
        relationship_id=None,
        product_code="web-hosting-pro",
        product_name=_HOSTING.product_name,
        price=_HOSTING.price,
        period=BillingPeriod.YEARLY,
        next_renewal_on=_HOSTING.next_renewal_on,
        ordered_by_user_id=_USER,
        created_at=_at(1, 12),
    ),
    PayerReassigned(
        relationship_id=_RELATIONSHIP,
        client_organisation_id=_CLIENT,
        partner_organisation_id=_PARTNER,
        billing_mode=BillingMode.PARTNER_PAYS,
        previous_payer_organisation_id=_CLIENT,
        new_payer_organisation_id=_PARTNER,
        effective_at=_at(3, 11),
        changed_by_user_id=_USER,
        subscriptions=(_HOSTING,),
    ),
    EmailDelivered(
        delivery_id=_id("delivery:1"),
        notification="payer_reassigned",
        organisation_id=_CLIENT,
        cause_event_id=_id("event:tessera.billing.PayerReassigned.v1"),
        delivered_at=_at(3, 12),
    ),
    EmailFailed(
        delivery_id=_id("delivery:2"),
        notification="payer_reassigned",
        organisation_id=_PARTNER,
        cause_event_id=_id("event:tessera.billing.PayerReassigned.v1"),
        reason="550 5.1.1 mailbox unavailable",
        failed_at=_at(3, 12),
    ),
)


def example_event(event_type: str) -> CloudEvent[EventData]:
    """The example envelope of an event type; KeyError when the type has no example yet."""
    for data in EXAMPLE_DATA:
        if event_type == data.EVENT_TYPE:
            return CloudEvent[EventData](
                id=_id(f"event:{event_type}"),
                source=f"/tessera/{data.TOPIC.owner}",
                type=event_type,
                time=_at(3, 11),
                subject=data.aggregate_id(),
                data=data,
            )
    raise KeyError(event_type)
