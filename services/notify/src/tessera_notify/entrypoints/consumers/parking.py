"""Wraps notify's handlers: an event that names an unknown organisation or person is parked, and
identity's events about organisations and people apply what waited for them."""

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from tessera_events import CloudEvent, EventData
from tessera_events.kafka_binding import decode, encode
from tessera_kit.consumers import EventHandlers
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.notices import RecipientUnknown
from tessera_notify.entrypoints.consumers.registry import BatchHandler, Handler
from tessera_notify.service_layer import parking

ArrivalOf = Callable[[Any], tuple[str, UUID]]


class Parking:
    """Builds the service's handlers: each parks on RecipientUnknown; arrivals resume the waiting."""

    def __init__(self) -> None:
        self.handlers = EventHandlers[NotifyUnitOfWork]()

    def register(
        self, event_class: type[EventData], handler: Handler, arrival: ArrivalOf | None = None
    ) -> None:
        """Register ``handler``; ``arrival`` names the organisation or person the event tells notify of."""
        self.handlers.on(event_class)(self._resuming(handler, arrival) if arrival else self._parking(handler))

    def register_batch(self, event_class: type[EventData], handler: BatchHandler, arrival: ArrivalOf) -> None:
        """Register a set-based ``handler`` of identity's events; what waited for any of them resumes."""
        self.handlers.on_batch(event_class)(self._resuming_batch(handler, arrival))

    def _parking(self, handler: Handler) -> Handler:
        async def handle(event: CloudEvent[Any], uow: NotifyUnitOfWork) -> None:
            try:
                await handler(event, uow)
            except RecipientUnknown as missing:
                await parking.park(
                    uow,
                    event_id=event.id,
                    event_type=event.type,
                    envelope=encode(event)[1].decode(),
                    occurred_at=event.time,
                    missing=missing,
                )

        return handle

    def _resuming(self, handler: Handler, arrival: ArrivalOf) -> Handler:
        async def handle(event: CloudEvent[Any], uow: NotifyUnitOfWork) -> None:
            await handler(event, uow)
            kind, subject_id = arrival(event.data)
            await parking.resume(uow, kind, subject_id, lambda envelope: self._apply(envelope, uow))

        return handle

    def _resuming_batch(self, handler: BatchHandler, arrival: ArrivalOf) -> BatchHandler:
        async def handle(events: Sequence[CloudEvent[Any]], uow: NotifyUnitOfWork) -> None:
            await handler(events, uow)
            arrivals = [arrival(event.data) for event in events]
            for kind in dict.fromkeys(kind for kind, _ in arrivals):
                subjects = [subject_id for arrived, subject_id in arrivals if arrived == kind]
                await parking.resume_many(uow, kind, subjects, lambda envelope: self._apply(envelope, uow))

        return handle

    async def _apply(self, envelope: str, uow: NotifyUnitOfWork) -> None:
        event = decode(envelope.encode())
        handler = self.handlers.handler_for(event.type)
        if handler is not None:
            await handler(event, uow)
