"""Events the notify service publishes: what happened to each e-mail."""

from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from tessera_events.envelope import EventData
from tessera_events.topics import DAY_MS, Topic

DELIVERIES = Topic(
    name="tessera.notify.deliveries.v1",
    owner="notify",
    key="delivery_id",
    description="The outcome of each e-mail notify sends.",
    retention_ms=30 * DAY_MS,
)
TOPICS = (DELIVERIES,)


class EmailDelivered(EventData):
    """The SMTP server accepted an e-mail."""

    EVENT_TYPE: ClassVar[str] = "tessera.notify.EmailDelivered.v1"
    TOPIC: ClassVar[Topic] = DELIVERIES
    KEY_FIELD: ClassVar[str] = "delivery_id"

    delivery_id: UUID
    notification: str
    organisation_id: UUID = Field(
        description="The organisation the e-mail concerns; the nil UUID for a notice about a person's "
        "own account (then see recipient_user_id)."
    )
    cause_event_id: UUID
    delivered_at: AwareDatetime
    category: str | None = Field(
        default=None, description="The notification's category (security, invoices, ...); absent before v1.1."
    )
    recipient_user_id: UUID | None = Field(
        default=None, description="The person written to; none for an organisation's billing contact."
    )


class EmailFailed(EventData):
    """An e-mail could not be delivered and will not be retried."""

    EVENT_TYPE: ClassVar[str] = "tessera.notify.EmailFailed.v1"
    TOPIC: ClassVar[Topic] = DELIVERIES
    KEY_FIELD: ClassVar[str] = "delivery_id"

    delivery_id: UUID
    notification: str
    organisation_id: UUID = Field(
        description="The organisation the e-mail concerns; the nil UUID for a notice about a person's "
        "own account (then see recipient_user_id)."
    )
    cause_event_id: UUID
    reason: str
    failed_at: AwareDatetime
    category: str | None = Field(
        default=None, description="The notification's category (security, invoices, ...); absent before v1.1."
    )
    recipient_user_id: UUID | None = Field(
        default=None, description="The person written to; none for an organisation's billing contact."
    )


EVENTS: tuple[type[EventData], ...] = (EmailDelivered, EmailFailed)
