"""Send recorded e-mails: each claimed by one sender, settled in the transaction that claimed it.

A sender locks one due delivery (``FOR UPDATE SKIP LOCKED``), hands it to the SMTP server while
holding the lock, and in the same transaction marks the outcome and, when it is final, writes
EmailDelivered or EmailFailed to the outbox. Two senders (after-commit and the retry job, or two
replicas) therefore never send the same e-mail at once, and a delivered e-mail is never sent again.
The one gap: the server accepted the e-mail and the process died before the commit. The delivery
is then still pending and is sent a second time, with the same Message-ID (see adapters/mailer.py).
"""

import asyncio
from collections.abc import Callable, Collection
from contextlib import AbstractAsyncContextManager, AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

import structlog
from opentelemetry import trace

from tessera_events.notify import EmailDelivered, EmailFailed
from tessera_kit.telemetry import context_from_headers
from tessera_notify.adapters.orm import DeliveryRow
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.deliveries import (
    Delivered,
    DeliveryError,
    DeliveryStatus,
    GaveUp,
    OutgoingEmail,
    RetryLater,
    RetrySchedule,
    Settlement,
    TransientDeliveryError,
    settle_attempt,
)

log = structlog.get_logger(__name__)
# The contract's organisation_id for an e-mail about a person's own account (a security notice).
NO_ORGANISATION = UUID(int=0)


class MailSession(Protocol):
    """A connection to the SMTP server that e-mails are handed to one after another."""

    async def send(self, email: OutgoingEmail) -> None:
        """Send it, or raise TransientDeliveryError / PermanentDeliveryError."""
        ...


class Mailer(Protocol):
    """Opens sessions with the SMTP server."""

    def session(self) -> AbstractAsyncContextManager[MailSession]:
        """A session for a batch of e-mails (one connection, reused while it works)."""
        ...


@dataclass(frozen=True)
class DeliverySender:
    """Sends due deliveries, each in its own transaction, over up to ``connections`` SMTP sessions
    at once (each reused for the e-mails it sends one after another, each serving its own share of
    the recipients, so a person's e-mails keep their order)."""

    unit_of_work: Callable[[], NotifyUnitOfWork]
    mailer: Mailer
    schedule: RetrySchedule
    connections: int = 1

    async def send_due(
        self, *, cause_event_ids: Collection[UUID] | None = None, restore_trace: bool = False
    ) -> int:
        """Send every delivery due now (only those the events ``cause_event_ids`` caused, if given).

        With ``restore_trace`` each e-mail is sent in the trace of the event that caused it, as
        stored on its row; otherwise in the current trace. Returns how many deliveries were
        attempted. Concurrent senders never pick the same delivery: each locks the one it sends.
        """
        if self.connections == 1:
            return await self._send_all(cause_event_ids, restore_trace, None)
        senders = [
            self._send_all(cause_event_ids, restore_trace, (index, self.connections))
            for index in range(self.connections)
        ]
        return sum(await asyncio.gather(*senders))

    async def _send_all(
        self, cause_event_ids: Collection[UUID] | None, restore_trace: bool, shard: tuple[int, int] | None
    ) -> int:
        attempted = 0
        async with self.mailer.session() as session:
            while await self._send_next(session, cause_event_ids, restore_trace, shard):
                attempted += 1
        return attempted

    async def seconds_until_next_due(self, longest: float) -> float:
        """How long nothing is due (at most ``longest``; 0 when something is due now)."""
        async with self.unit_of_work() as uow:
            due = await uow.deliveries.next_attempt_at()
            now = uow.clock.now()
        if due is None:
            return longest
        return min(max((due - now).total_seconds(), 0.0), longest)

    async def _send_next(
        self,
        session: MailSession,
        cause_event_ids: Collection[UUID] | None,
        restore_trace: bool,
        shard: tuple[int, int] | None,
    ) -> bool:
        async with self.unit_of_work() as uow:
            delivery = await uow.deliveries.claim_next_due(uow.clock.now(), cause_event_ids, shard)
            if delivery is None:
                return False
            with _trace_of(delivery) if restore_trace else nullcontext():
                error = await self._attempt(session, delivery)
                settlement = settle_attempt(delivery.attempts, error, uow.clock.now(), self.schedule)
                await _record(uow, delivery, settlement)
                await uow.commit()
            log.info(
                "delivery attempted",
                delivery_id=str(delivery.id),
                notification=delivery.notification,
                status=delivery.status,
                attempts=delivery.attempts,
            )
        return True

    async def _attempt(self, session: MailSession, delivery: DeliveryRow) -> DeliveryError | None:
        email = OutgoingEmail(
            delivery_id=delivery.id,
            recipient=delivery.recipient,
            language=delivery.locale,
            subject=delivery.subject,
            text=delivery.text_body,
            html=delivery.html_body,
            written_at=delivery.created_at,
            notification=delivery.notification,
        )
        try:
            await session.send(email)
        except DeliveryError as error:
            return error
        except Exception as error:
            # A failure nobody classified: retrying is safe, and the attempts are bounded.
            log.exception("unexpected error while sending", delivery_id=str(delivery.id))
            return TransientDeliveryError(f"{type(error).__name__}: {error}")
        return None


async def _record(uow: NotifyUnitOfWork, delivery: DeliveryRow, settlement: Settlement) -> None:
    delivery.attempts += 1
    match settlement:
        case Delivered(at=at):
            delivery.status = DeliveryStatus.DELIVERED.value
            delivery.delivered_at = at
            delivery.next_attempt_at = None
            uow.emit(
                EmailDelivered(
                    delivery_id=delivery.id,
                    notification=delivery.notification,
                    organisation_id=delivery.organisation_id or NO_ORGANISATION,
                    cause_event_id=delivery.cause_event_id,
                    delivered_at=at,
                    category=delivery.category,
                    recipient_user_id=delivery.recipient_user_id,
                ),
                occurred_at=at,
            )
        case RetryLater(at=at, error=error):
            delivery.next_attempt_at = at
            delivery.last_error = error
            await uow.deliveries.announce_new_schedule()
        case GaveUp(at=at, reason=reason):
            delivery.status = DeliveryStatus.FAILED.value
            delivery.failed_at = at
            delivery.next_attempt_at = None
            delivery.last_error = reason
            uow.emit(
                EmailFailed(
                    delivery_id=delivery.id,
                    notification=delivery.notification,
                    organisation_id=delivery.organisation_id or NO_ORGANISATION,
                    cause_event_id=delivery.cause_event_id,
                    reason=reason,
                    failed_at=at,
                    category=delivery.category,
                    recipient_user_id=delivery.recipient_user_id,
                ),
                occurred_at=at,
            )


def _trace_of(delivery: DeliveryRow) -> AbstractContextManager[object]:
    """Make the trace that recorded the delivery current again (for sends long after that)."""
    stored = [("traceparent", delivery.traceparent), ("tracestate", delivery.tracestate)]
    context = context_from_headers([(name, value) for name, value in stored if value])
    return trace.use_span(trace.get_current_span(context), end_on_exit=False)
