"""Events the billing service publishes: the public stream other systems subscribe to."""

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from tessera_events.envelope import EventData
from tessera_events.money import Money
from tessera_events.partnership import BillingMode
from tessera_events.topics import Topic

SUBSCRIPTIONS = Topic(
    name="tessera.billing.subscriptions.v1",
    owner="billing",
    key="subscription_id",
    description="Subscriptions to products: created, renewed, cancelled.",
    partitions=6,
)
PAYER_ASSIGNMENTS = Topic(
    name="tessera.billing.payer-assignments.v1",
    owner="billing",
    key="client_organisation_id",
    description=(
        "Who pays for a client's products managed by a partner. Keyed by the client organisation, "
        "so every reassignment of one client is seen in order."
    ),
    partitions=6,
)
TOPICS = (SUBSCRIPTIONS, PAYER_ASSIGNMENTS)


class BillingPeriod(StrEnum):
    """How often a subscription renews."""

    MONTHLY = "monthly"
    YEARLY = "yearly"


class SubscriptionCreated(EventData):
    """A product was ordered for an organisation; ``payer`` receives its invoices."""

    EVENT_TYPE: ClassVar[str] = "tessera.billing.SubscriptionCreated.v1"
    TOPIC: ClassVar[Topic] = SUBSCRIPTIONS
    KEY_FIELD: ClassVar[str] = "subscription_id"

    subscription_id: UUID
    owner_organisation_id: UUID
    payer_organisation_id: UUID
    relationship_id: UUID | None
    product_code: str
    product_name: str
    price: Money
    period: BillingPeriod
    next_renewal_on: date
    ordered_by_user_id: UUID
    created_at: AwareDatetime


class ReassignedSubscription(BaseModel):
    """One subscription whose renewals moved to another payer."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    subscription_id: UUID
    product_code: str
    product_name: str
    price: Money
    next_renewal_on: date


class PayerReassigned(EventData):
    """Renewals of a client's managed products due from ``effective_at`` go to a new payer.

    Invoices issued before stay with the organisation that received them.
    """

    EVENT_TYPE: ClassVar[str] = "tessera.billing.PayerReassigned.v1"
    TOPIC: ClassVar[Topic] = PAYER_ASSIGNMENTS
    KEY_FIELD: ClassVar[str] = "client_organisation_id"

    relationship_id: UUID
    client_organisation_id: UUID
    partner_organisation_id: UUID
    billing_mode: BillingMode
    previous_payer_organisation_id: UUID
    new_payer_organisation_id: UUID
    effective_at: AwareDatetime
    changed_by_user_id: UUID = Field(description="The client's user who chose the new billing mode.")
    subscriptions: tuple[ReassignedSubscription, ...]


EVENTS: tuple[type[EventData], ...] = (SubscriptionCreated, PayerReassigned)
