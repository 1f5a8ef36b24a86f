"""Examples of notify's events."""

from tessera_events.envelope import EventData
from tessera_events.examples.common import CLIENT, PARTNER, example_at, example_id
from tessera_events.notify import EmailDelivered, EmailFailed

EXAMPLES: tuple[EventData, ...] = (
    EmailDelivered(
        delivery_id=example_id("delivery:1"),
        notification="billing_mode_changed",
        organisation_id=CLIENT,
        cause_event_id=example_id("event:tessera.billing.PayerReassigned.v1"),
        delivered_at=example_at(3, 12),
        category="partnership",
    ),
    EmailFailed(
        delivery_id=example_id("delivery:2"),
        notification="billing_mode_changed",
        organisation_id=PARTNER,
        cause_event_id=example_id("event:tessera.billing.PayerReassigned.v1"),
        reason="550 5.1.1 mailbox unavailable",
        failed_at=example_at(3, 12),
        category="partnership",
    ),
)
