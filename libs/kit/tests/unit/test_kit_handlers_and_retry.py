"""Registering handlers and the retry schedule."""

import pytest

from tessera_events import CloudEvent
from tessera_events.identity import ORGANISATIONS, OrganisationRegistered
from tessera_kit.consumers import EventHandlers, RetryPolicy
from tessera_kit.uow import UnitOfWork


async def noop(event: CloudEvent[OrganisationRegistered], uow: UnitOfWork) -> None:
    return None


def test_handlers_know_the_topics_they_need() -> None:
    handlers: EventHandlers[UnitOfWork] = EventHandlers()
    handlers.on(OrganisationRegistered)(noop)
    assert handlers.topics == (ORGANISATIONS,)
    assert handlers.handler_for(OrganisationRegistered.EVENT_TYPE) is noop
    assert handlers.handler_for("tessera.other.Thing.v1") is None


def test_one_event_type_cannot_have_two_handlers() -> None:
    handlers: EventHandlers[UnitOfWork] = EventHandlers()
    handlers.on(OrganisationRegistered)(noop)
    with pytest.raises(ValueError, match="already has a handler"):
        handlers.on(OrganisationRegistered)(noop)


def test_backoff_doubles_up_to_its_ceiling() -> None:
    policy = RetryPolicy(initial_backoff_seconds=0.5, max_backoff_seconds=3.0)
    assert [policy.backoff(attempt) for attempt in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
