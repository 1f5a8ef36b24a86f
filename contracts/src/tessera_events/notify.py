"""Events the notify service publishes: what happened to each e-mail."""

from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime

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
    organisation_id: UUID
    cause_event_id: UUID
    delivered_at: AwareDatetime


class EmailFailed(EventData):
    """An e-mail could not be delivered and will not be retried."""

    EVENT_TYPE: ClassVar[str] = "tessera.notify.EmailFailed.v1"
    TOPIC: ClassVar[Topic] = DELIVERIES
    KEY_FIELD: ClassVar[str] = "delivery_id"

    delivery_id: UUID
    notification: str
    organisation_id: UUID
    cause_event_id: UUID
    reason: str
    failed_at: AwareDatetime


EVENTS: tuple[type[EventData], ...] = (EmailDelivered, EmailFailed)
