"""Events that name someone notify does not know yet wait here, instead of being retried and
dead-lettered: identity's topics are not ordered relative to partnership's, billing's or wallet's,
so a notice can arrive before the organisation or person it is for. When identity's event about
them arrives, the waiting events are applied in the same transaction as the projection change.

A parked event is already in the consumer's inbox (it was handled: by parking), so a redelivery
does not park it twice. Events too old to tell anyone about are forgotten.

Parking and resuming run on different topics, in different transactions: both take a lock on the
awaited organisation or person, and parking looks again once it holds it. If identity's event
committed in between, the event is not parked but retried (by the kit), and then finds its recipient.
"""

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from uuid import UUID

import structlog

from tessera_kit.telemetry import current_trace_headers, stored_trace
from tessera_notify.adapters.orm import ParkedEventRow
from tessera_notify.adapters.repository import ParkedEvent
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.notices import RecipientUnknown

log = structlog.get_logger(__name__)


class RecipientArrived(Exception):
    """The organisation or person an event missed arrived while it was applied: apply it again."""


async def park(
    uow: NotifyUnitOfWork,
    *,
    event_id: UUID,
    event_type: str,
    envelope: str,
    occurred_at: datetime,
    missing: RecipientUnknown,
) -> None:
    """Keep the event until identity tells notify of the organisation or person it misses.

    Raises RecipientArrived when it arrived meanwhile: the kit then retries the event.
    """
    await uow.parked.lock(missing.kind, missing.subject_id)
    if await uow.recipients.knows(missing.kind, missing.subject_id):
        raise RecipientArrived(f"{missing.kind} {missing.subject_id} arrived while the event was applied")
    now = uow.clock.now()
    await uow.parked.forget_older_than(now - uow.notice_max_age)
    trace = current_trace_headers()  # the consumer's: the event is applied in it when it resumes
    await uow.parked.park(
        ParkedEventRow(
            event_id=event_id,
            event_type=event_type,
            envelope=envelope,
            waiting_for=missing.kind,
            waiting_for_id=missing.subject_id,
            occurred_at=occurred_at,
            parked_at=now,
            traceparent=trace.get("traceparent"),
            tracestate=trace.get("tracestate"),
        )
    )
    log.info("event parked until its recipient is known", event_id=str(event_id), waiting_for=str(missing))


async def resume(
    uow: NotifyUnitOfWork, kind: str, subject_id: UUID, apply: Callable[[str], Awaitable[None]]
) -> int:
    """Apply, in this transaction, every event that waited for this organisation or person."""
    await uow.parked.lock(kind, subject_id)
    envelopes = await uow.parked.take(kind, subject_id)
    await _apply_all(envelopes, apply)
    if envelopes:
        # Their e-mails are due now; the retry job sends them once this transaction commits.
        await uow.deliveries.announce_new_schedule()
        log.info("parked events resumed", waiting_for=kind, subject_id=str(subject_id), count=len(envelopes))
    return len(envelopes)


async def resume_many(
    uow: NotifyUnitOfWork, kind: str, subject_ids: Sequence[UUID], apply: Callable[[str], Awaitable[None]]
) -> int:
    """``resume`` for a batch of arrivals at once: one lock statement, one query for what waited."""
    await uow.parked.lock_many(kind, subject_ids)
    taken = await uow.parked.take_many(kind, subject_ids)
    for subject_id in dict.fromkeys(subject_ids):
        await _apply_all(taken.get(subject_id, []), apply)
    resumed = sum(len(envelopes) for envelopes in taken.values())
    if resumed:
        await uow.deliveries.announce_new_schedule()
        log.info("parked events resumed", waiting_for=kind, subjects=len(taken), count=resumed)
    return resumed


async def _apply_all(events: Sequence[ParkedEvent], apply: Callable[[str], Awaitable[None]]) -> None:
    """Apply each event in the trace it arrived in, so that its e-mails continue that trace."""
    for event in events:
        with stored_trace(event.traceparent, event.tracestate):
            await apply(event.envelope)
