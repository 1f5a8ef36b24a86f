"""The handlers of one producer's events, before notify wraps them (see ``parking.py``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tessera_events import CloudEvent, EventData
from tessera_notify.adapters.uow import NotifyUnitOfWork

DataT = TypeVar("DataT", bound=EventData)
Handler = Callable[[CloudEvent[Any], NotifyUnitOfWork], Awaitable[None]]
TypedHandler = Callable[[CloudEvent[DataT], NotifyUnitOfWork], Awaitable[None]]


class HandlerList:
    """Event classes and the coroutines that apply them, in registration order."""

    def __init__(self) -> None:
        self.entries: list[tuple[type[EventData], Handler]] = []

    def on(self, event_class: type[DataT]) -> Callable[[TypedHandler[DataT]], TypedHandler[DataT]]:
        """Register the decorated coroutine as the handler of ``event_class``."""

        def register(handler: TypedHandler[DataT]) -> TypedHandler[DataT]:
            self.entries.append((event_class, handler))
            return handler

        return register
