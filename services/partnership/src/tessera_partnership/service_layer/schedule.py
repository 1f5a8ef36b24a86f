"""Time-driven work: warn before time-bound access ends, end it when it does, expire offer requests.

Each step records what it did in the same transaction as the event it emits (the relationship's
``ending_warned_for``, its status, the request's status), so no warning or ending happens twice, even
with several replicas (rows are locked with SKIP LOCKED)."""

from datetime import datetime, timedelta

from tessera_partnership.adapters.uow import PartnershipUnitOfWork
from tessera_partnership.domain.relationship import EndReason
from tessera_partnership.service_layer import events
from tessera_partnership.service_layer.offer_requests import expire_due


async def warn_access_ending(uow: PartnershipUnitOfWork, lead: timedelta) -> int:
    """Warn both sides of each relationship whose access ends within ``lead``; how many were warned."""
    async with uow:
        now = uow.clock.now()
        due = [r for r in await uow.relationships.due_for_warning(now + lead) if r.due_for_warning(now, lead)]
        for relationship in due:
            relationship.ending_warned_for = relationship.scope.ends_at
            await uow.relationships.save(relationship)
            uow.emit(events.access_ending_soon(relationship))
        await uow.commit()
    return len(due)


async def end_expired_access(uow: PartnershipUnitOfWork) -> int:
    """End each relationship whose time-bound access ran out; how many ended."""
    async with uow:
        now = uow.clock.now()
        due = await uow.relationships.due_for_expiry(now)
        for relationship in due:
            relationship.end(EndReason.ACCESS_EXPIRED, ended_by_user_id=None, now=now)
            await uow.relationships.save(relationship)
            uow.emit(events.relationship_ended(relationship))
        await uow.commit()
    return len(due)


async def run_due(uow: PartnershipUnitOfWork, lead: timedelta) -> None:
    """Everything due now."""
    await warn_access_ending(uow, lead)
    await end_expired_access(uow)
    await expire_due(uow)


async def next_due(uow: PartnershipUnitOfWork, lead: timedelta) -> datetime | None:
    """When something will next be due: a warning, an access end, or a request expiry."""
    async with uow:
        found = [
            await uow.relationships.next_access_deadline(lead),
            await uow.offer_requests.next_expiry(),
        ]
    instants = [instant for instant in found if instant is not None]
    return min(instants) if instants else None
