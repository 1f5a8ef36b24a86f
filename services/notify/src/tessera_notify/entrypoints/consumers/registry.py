"""The handlers of one producer's events, before notify wraps them (see ``parking.py``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from tessera_events import CloudEvent, EventData
from tessera_notify.adapters.uow import NotifyUnitOfWork

DataT = TypeVar("DataT", bound=EventData)
Handler = Callable[[CloudEvent[Any], NotifyUnitOfWork], Awaitable[None]]
TypedHandler = Callable[[CloudEvent[DataT], NotifyUnitOfWork], Awaitable[None]]
BatchHandler = Callable[[Sequence[CloudEvent[Any]], NotifyUnitOfWork], Awaitable[None]]
TypedBatchHandler = Callable[[Sequence[CloudEvent[DataT]], NotifyUnitOfWork], Awaitable[None]]


class HandlerList:
    """Event classes and the coroutines that apply them, in registration order."""

    def __init__(self) -> None:
        self.entries: list[tuple[type[EventData], Handler]] = []
        self.batch_entries: list[tuple[type[EventData], BatchHandler]] = []

    def on(self, event_class: type[DataT]) -> Callable[[TypedHandler[DataT]], TypedHandler[DataT]]:
        """Register the decorated coroutine as the handler of ``event_class``."""

        def register(handler: TypedHandler[DataT]) -> TypedHandler[DataT]:
            self.entries.append((event_class, handler))
            return handler

        return register

    def on_batch(
        self, event_class: type[DataT]
    ) -> Callable[[TypedBatchHandler[DataT]], TypedBatchHandler[DataT]]:
        """Register the decorated coroutine as the set-based handler of ``event_class`` (see
        ``tessera_kit.consumers.EventHandlers.on_batch``)."""

        def register(handler: TypedBatchHandler[DataT]) -> TypedBatchHandler[DataT]:
            self.batch_entries.append((event_class, handler))
            return handler

        return register
