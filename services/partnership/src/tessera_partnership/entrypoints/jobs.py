"""The scheduler: runs what is due, then sleeps until the next due instant.

It wakes early whenever any transaction of this service emits events (the outbox's NOTIFY), because
a new invitation, access change or offer request may be due sooner than what it was waiting for, and
at least every ``schedule_sweep_seconds`` in case a notification was missed.
"""

from datetime import timedelta

from tessera_kit.listening import run_on_notify
from tessera_kit.outbox import OUTBOX_CHANNEL
from tessera_kit.service import Runtime
from tessera_partnership.adapters.uow import PartnershipUnitOfWork
from tessera_partnership.config import PartnershipSettings
from tessera_partnership.service_layer.schedule import next_due, run_due


async def run_schedule(runtime: Runtime[PartnershipUnitOfWork]) -> None:
    """Background job: warnings before access ends, access expiry, offer request expiry."""
    settings = runtime.settings
    assert isinstance(settings, PartnershipSettings)
    lead = timedelta(days=settings.access_warning_days)

    async def run_what_is_due() -> float | None:
        await run_due(runtime.unit_of_work(), lead)
        due = await next_due(runtime.unit_of_work(), lead)
        return None if due is None else max(0.0, (due - runtime.clock.now()).total_seconds()) + 0.05

    await run_on_notify(
        runtime.database.url,
        [OUTBOX_CHANNEL],
        run_what_is_due,
        sweep_seconds=settings.schedule_sweep_seconds,
        name="partnership schedule",
        # Every commit of the service wakes it (the outbox's NOTIFY); what it runs is due to the
        # minute, so under load it looks at most twice a second instead of twice per request.
        min_interval_seconds=0.5,
    )
