"""When notify sends its e-mails: right after the event that caused them commits, and on schedule.

After commit: the consumer sends the event's new deliveries at once, inside its own span, so one
trace runs from the HTTP call that changed something to the SMTP server. A failure there is logged
by the kit's consumer runtime and left to the retry job (the event itself is already applied).

The retry job: sends every pending delivery whose next attempt is due (left by a transient SMTP
failure or a process that died before sending), then sleeps until the next one is due. It wakes
early when a sender anywhere NOTIFYs that it rescheduled a delivery, and at least every
``delivery_sweep_seconds`` in case a notification was missed.
"""

import asyncio
import contextlib
from typing import Any

import asyncpg

from tessera_events import CloudEvent
from tessera_kit.consumers import AfterCommit
from tessera_kit.db import asyncpg_dsn
from tessera_kit.service import Runtime
from tessera_notify.adapters.repository import SCHEDULE_CHANNEL
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.deliveries import RetrySchedule
from tessera_notify.service_layer.sending import DeliverySender, Mailer


class DeliveryWorker:
    """The two triggers of sending, sharing one mailer and one retry schedule."""

    def __init__(self, mailer: Mailer, schedule: RetrySchedule, sweep_seconds: float) -> None:
        self._mailer = mailer
        self._schedule = schedule
        self._sweep_seconds = sweep_seconds

    def sender(self, runtime: Runtime[NotifyUnitOfWork]) -> DeliverySender:
        """A sender on the running service's database."""
        return DeliverySender(unit_of_work=runtime.unit_of_work, mailer=self._mailer, schedule=self._schedule)

    def after_commit(self, runtime: Runtime[NotifyUnitOfWork]) -> AfterCommit:
        """The hook the kit calls after applying an event: send the e-mails that event caused."""
        sender = self.sender(runtime)

        async def send_emails_of(event: CloudEvent[Any]) -> None:
            await sender.send_due(cause_event_id=event.id)

        return send_emails_of

    async def retry_due_deliveries(self, runtime: Runtime[NotifyUnitOfWork]) -> None:
        """Background job: send what is due, then sleep until the next attempt is (or a wake-up)."""
        sender = self.sender(runtime)
        wake = asyncio.Event()
        listener = await asyncpg.connect(asyncpg_dsn(runtime.database.url))
        try:
            await listener.add_listener(SCHEDULE_CHANNEL, lambda *_: wake.set())
            while True:
                wake.clear()
                await sender.send_due(restore_trace=True)
                pause = await sender.seconds_until_next_due(longest=self._sweep_seconds)
                if listener.is_closed():
                    raise ConnectionError("the LISTEN connection closed; restarting the retry job")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=pause)
        finally:
            await listener.close()
