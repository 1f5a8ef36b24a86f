"""When notify sends its e-mails: right after the event that caused them commits, and on schedule.

After commit: the consumer sends the new deliveries of the batch it just applied at once, over a
bounded number of SMTP connections, each e-mail in the trace stored on its row (the span of the
record that caused it), so one trace runs from the HTTP call that changed something to the SMTP
server. A failure there is logged by the kit's consumer runtime and left to the retry job (the
events themselves are already applied).

The retry job: sends every pending delivery whose next attempt is due (left by a transient SMTP
failure or a process that died before sending), then sleeps until the next one is due. It wakes
early when a sender anywhere NOTIFYs that it rescheduled a delivery, and at least every
``delivery_sweep_seconds`` in case a notification was missed.
"""

from collections.abc import Sequence
from typing import Any

from tessera_events import CloudEvent
from tessera_kit.consumers import AfterCommit
from tessera_kit.listening import run_on_notify
from tessera_kit.service import Runtime
from tessera_notify.adapters.repository import SCHEDULE_CHANNEL
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.deliveries import RetrySchedule
from tessera_notify.service_layer.sending import DeliverySender, Mailer


class DeliveryWorker:
    """The two triggers of sending, sharing one mailer and one retry schedule."""

    def __init__(
        self, mailer: Mailer, schedule: RetrySchedule, sweep_seconds: float, connections: int = 1
    ) -> None:
        self._mailer = mailer
        self._schedule = schedule
        self._sweep_seconds = sweep_seconds
        self._connections = connections

    def sender(self, runtime: Runtime[NotifyUnitOfWork]) -> DeliverySender:
        """A sender on the running service's database."""
        return DeliverySender(
            unit_of_work=runtime.unit_of_work,
            mailer=self._mailer,
            schedule=self._schedule,
            connections=self._connections,
        )

    def after_commit(self, runtime: Runtime[NotifyUnitOfWork]) -> AfterCommit:
        """The hook the kit calls after applying a batch: send the e-mails those events caused."""
        sender = self.sender(runtime)

        async def send_emails_of(events: Sequence[CloudEvent[Any]]) -> None:
            await sender.send_due(cause_event_ids=[event.id for event in events], restore_trace=True)

        return send_emails_of

    async def retry_due_deliveries(self, runtime: Runtime[NotifyUnitOfWork]) -> None:
        """Background job: send what is due, then sleep until the next attempt is (or a wake-up)."""
        sender = self.sender(runtime)

        async def send_what_is_due() -> float | None:
            await sender.send_due(restore_trace=True)
            return await sender.seconds_until_next_due(longest=self._sweep_seconds)

        await run_on_notify(
            runtime.database.url,
            [SCHEDULE_CHANNEL],
            send_what_is_due,
            sweep_seconds=self._sweep_seconds,
            name="notify deliveries",
        )
