"""Events the partnership service publishes: relationships between partners and clients."""

from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from tessera_events.envelope import EventData
from tessera_events.topics import Topic

RELATIONSHIPS = Topic(
    name="tessera.partnership.relationships.v1",
    owner="partnership",
    key="relationship_id",
    description="Partner-client relationships: start, access granted, billing mode, end.",
)
TOPICS = (RELATIONSHIPS,)


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


EVENTS: tuple[type[EventData], ...] = (RelationshipStarted, BillingModeChanged)
