"""The events billing reacts to; each handler hands its event to a use case (the kit commits)."""

from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.service_layer.partnerships import record_relationship_started, switch_billing_mode
from tessera_events import CloudEvent
from tessera_events.partnership import BillingModeChanged, RelationshipStarted
from tessera_kit.consumers import EventHandlers

handlers: EventHandlers[BillingUnitOfWork] = EventHandlers()


@handlers.on(RelationshipStarted)
async def apply_relationship_started(event: CloudEvent[RelationshipStarted], uow: BillingUnitOfWork) -> None:
    """A partner now manages a client: keep the relationship and its billing mode."""
    await record_relationship_started(uow, event.data)


@handlers.on(BillingModeChanged)
async def apply_billing_mode_changed(event: CloudEvent[BillingModeChanged], uow: BillingUnitOfWork) -> None:
    """The client chose who pays: move the managed subscriptions' renewals to that payer."""
    await switch_billing_mode(uow, event.data)
