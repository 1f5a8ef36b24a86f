"""Events the partnership service publishes: relationships between partners and clients."""

from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from tessera_events.envelope import EventData
from tessera_events.identity import Locale
from tessera_events.topics import Topic

RELATIONSHIPS = Topic(
    name="tessera.partnership.relationships.v1",
    owner="partnership",
    key="relationship_id",
    description="Partner-client relationships: start, access granted, billing mode, end.",
)
PARTNERS = Topic(
    name="tessera.partnership.partners.v1",
    owner="partnership",
    key="partner_organisation_id",
    description="The partner programme: a partner's status and benefit tier (discount and cashback rates).",
)
OFFER_REQUESTS = Topic(
    name="tessera.partnership.offer-requests.v1",
    owner="partnership",
    key="offer_request_id",
    description="Clients' offer requests: posted, opened by a partner, cancelled, expired.",
)
TOPICS = (RELATIONSHIPS, PARTNERS, OFFER_REQUESTS)


class Access(StrEnum):
    """How much of the client's account the partner may manage."""

    FULL = "full"
    RESTRICTED = "restricted"


class BillingMode(StrEnum):
    """Who pays for what the partner manages (only with full access)."""

    CLIENT_PAYS = "client_pays"
    PARTNER_PAYS = "partner_pays"


class RelationshipStarted(EventData):
    """A partner now manages a client organisation's products."""

    EVENT_TYPE: ClassVar[str] = "tessera.partnership.RelationshipStarted.v1"
    TOPIC: ClassVar[Topic] = RELATIONSHIPS
    KEY_FIELD: ClassVar[str] = "relationship_id"

    relationship_id: UUID
    partner_organisation_id: UUID
    client_organisation_id: UUID
    access: Access
    billing_mode: BillingMode
    started_at: AwareDatetime
    product_codes: tuple[str, ...] = Field(
        default=(), description="With restricted access, the products the partner may manage."
    )
    access_ends_at: AwareDatetime | None = Field(default=None, description="When time-bound access ends.")


class BillingModeChanged(EventData):
    """The client chose who pays, from ``effective_at`` on."""

    EVENT_TYPE: ClassVar[str] = "tessera.partnership.BillingModeChanged.v1"
    TOPIC: ClassVar[Topic] = RELATIONSHIPS
    KEY_FIELD: ClassVar[str] = "relationship_id"

    relationship_id: UUID
    partner_organisation_id: UUID
    client_organisation_id: UUID
    previous_mode: BillingMode
    billing_mode: BillingMode
    effective_at: AwareDatetime = Field(description="Renewals due from this instant on follow the new mode.")
    changed_by_user_id: UUID


class Side(StrEnum):
    """One side of a partner-client relationship."""

    PARTNER = "partner"
    CLIENT = "client"


class RelationshipProposed(EventData):
    """One side asked the other to start a relationship: an invitation (from the partner) or a request
    (from the client). The other side accepts it before ``expires_at``."""

    EVENT_TYPE: ClassVar[str] = "tessera.partnership.RelationshipProposed.v1"
    TOPIC: ClassVar[Topic] = RELATIONSHIPS
    KEY_FIELD: ClassVar[str] = "relationship_id"

    relationship_id: UUID
    partner_organisation_id: UUID
    client_organisation_id: UUID
    proposed_by: Side
    proposed_by_user_id: UUID
    access: Access
    product_codes: tuple[str, ...]
    expires_at: AwareDatetime


class AccessChanged(EventData):
    """The client changed what the partner may manage, or until when."""

    EVENT_TYPE: ClassVar[str] = "tessera.partnership.AccessChanged.v1"
    TOPIC: ClassVar[Topic] = RELATIONSHIPS
    KEY_FIELD: ClassVar[str] = "relationship_id"

    relationship_id: UUID
    partner_organisation_id: UUID
    client_organisation_id: UUID
    access: Access
    product_codes: tuple[str, ...]
    access_ends_at: AwareDatetime | None
    billing_mode: BillingMode = Field(description="Restricting access returns billing to the client.")
    changed_by_user_id: UUID
    changed_at: AwareDatetime


class PartnerStaffChanged(EventData):
    """The partner named which of its users may act for this client.

    Its legal representatives and administrators always may; other members of the partner only when
    listed here. Every service that lets a partner act for a client checks this list.
    """

    EVENT_TYPE: ClassVar[str] = "tessera.partnership.PartnerStaffChanged.v1"
    TOPIC: ClassVar[Topic] = RELATIONSHIPS
    KEY_FIELD: ClassVar[str] = "relationship_id"

    relationship_id: UUID
    partner_organisation_id: UUID
    client_organisation_id: UUID
    staff_user_ids: tuple[UUID, ...] = Field(description="Every listed user; empty: the managers only.")
    changed_by_user_id: UUID
    changed_at: AwareDatetime


class AccessEndingSoon(EventData):
    """Time-bound access ends soon; both sides are warned."""

    EVENT_TYPE: ClassVar[str] = "tessera.partnership.AccessEndingSoon.v1"
    TOPIC: ClassVar[Topic] = RELATIONSHIPS
    KEY_FIELD: ClassVar[str] = "relationship_id"

    relationship_id: UUID
    partner_organisation_id: UUID
    client_organisation_id: UUID
    access_ends_at: AwareDatetime


class RelationshipEndReason(StrEnum):
    """Why a relationship ended."""

    STOPPED_BY_PARTNER = "stopped_by_partner"
    STOPPED_BY_CLIENT = "stopped_by_client"
    ACCESS_EXPIRED = "access_expired"
    PARTNER_LEFT_PROGRAMME = "partner_left_programme"


class RelationshipEnded(EventData):
    """The partner no longer manages the client: access is revoked and future charges go to the client."""

    EVENT_TYPE: ClassVar[str] = "tessera.partnership.RelationshipEnded.v1"
    TOPIC: ClassVar[Topic] = RELATIONSHIPS
    KEY_FIELD: ClassVar[str] = "relationship_id"

    relationship_id: UUID
    partner_organisation_id: UUID
    client_organisation_id: UUID
    reason: RelationshipEndReason
    ended_by_user_id: UUID | None = Field(description="None when the system ended it (expiry).")
    ended_at: AwareDatetime


class PartnerStatus(StrEnum):
    """Where an organisation stands in the partner programme."""

    APPLIED = "applied"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    LEFT = "left"


class PartnerStatusChanged(EventData):
    """An organisation's standing in the partner programme changed."""

    EVENT_TYPE: ClassVar[str] = "tessera.partnership.PartnerStatusChanged.v1"
    TOPIC: ClassVar[Topic] = PARTNERS
    KEY_FIELD: ClassVar[str] = "partner_organisation_id"

    partner_organisation_id: UUID
    status: PartnerStatus
    previous_status: PartnerStatus | None
    changed_at: AwareDatetime


class PartnerTierAssigned(EventData):
    """A partner's benefit tier, effective from ``effective_at``: rates in basis points (3500 = 35 %)."""

    EVENT_TYPE: ClassVar[str] = "tessera.partnership.PartnerTierAssigned.v1"
    TOPIC: ClassVar[Topic] = PARTNERS
    KEY_FIELD: ClassVar[str] = "partner_organisation_id"

    partner_organisation_id: UUID
    tier: str
    reseller_discount_bp: int = Field(ge=0, le=3500, description="Discount when the partner pays.")
    cashback_bp: int = Field(ge=0, le=3500, description="Cashback on what clients pay.")
    effective_at: AwareDatetime


class OfferRequestPosted(EventData):
    """A client posted a need; the listed partners (opted in to the directory) receive the excerpt."""

    EVENT_TYPE: ClassVar[str] = "tessera.partnership.OfferRequestPosted.v1"
    TOPIC: ClassVar[Topic] = OFFER_REQUESTS
    KEY_FIELD: ClassVar[str] = "offer_request_id"

    offer_request_id: UUID
    client_organisation_id: UUID
    posted_by_user_id: UUID
    title: str
    excerpt: str = Field(description="What partners see before opening: no contact details.")
    country: str = Field(pattern="^[A-Z]{2}$")
    languages: tuple[Locale, ...]
    expires_at: AwareDatetime
    recipient_partner_organisation_ids: tuple[UUID, ...]
    posted_at: AwareDatetime


class OfferRequestOpened(EventData):
    """A partner opened a request and saw the client's contact details."""

    EVENT_TYPE: ClassVar[str] = "tessera.partnership.OfferRequestOpened.v1"
    TOPIC: ClassVar[Topic] = OFFER_REQUESTS
    KEY_FIELD: ClassVar[str] = "offer_request_id"

    offer_request_id: UUID
    client_organisation_id: UUID
    partner_organisation_id: UUID
    opened_by_user_id: UUID
    opened_at: AwareDatetime


class OfferRequestClosed(EventData):
    """A request can no longer be opened: the client cancelled it or it expired."""

    EVENT_TYPE: ClassVar[str] = "tessera.partnership.OfferRequestClosed.v1"
    TOPIC: ClassVar[Topic] = OFFER_REQUESTS
    KEY_FIELD: ClassVar[str] = "offer_request_id"

    offer_request_id: UUID
    client_organisation_id: UUID
    reason: str = Field(pattern="^(cancelled|expired)$")
    closed_at: AwareDatetime


EVENTS: tuple[type[EventData], ...] = (
    RelationshipProposed,
    RelationshipStarted,
    AccessChanged,
    PartnerStaffChanged,
    AccessEndingSoon,
    BillingModeChanged,
    RelationshipEnded,
    PartnerStatusChanged,
    PartnerTierAssigned,
    OfferRequestPosted,
    OfferRequestOpened,
    OfferRequestClosed,
)
