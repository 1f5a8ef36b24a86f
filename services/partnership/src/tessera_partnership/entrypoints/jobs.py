"""The scheduler: runs what is due, then sleeps until the next due instant.

It wakes early whenever any transaction of this service emits events (the outbox's NOTIFY), because
a new invitation, access change or offer request may be due sooner than what it was waiting for, and
at least every ``schedule_sweep_seconds`` in case a notification was missed.
"""

import asyncio
import contextlib
from datetime import timedelta

import asyncpg

from tessera_kit.db import asyncpg_dsn
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
    wake = asyncio.Event()
    listener = await asyncpg.connect(asyncpg_dsn(runtime.database.url))
    try:
        await listener.add_listener(OUTBOX_CHANNEL, lambda *_: wake.set())
        while True:
            wake.clear()
            await run_due(runtime.unit_of_work(), lead)
            due = await next_due(runtime.unit_of_work(), lead)
            pause = settings.schedule_sweep_seconds
            if due is not None:
                pause = min(pause, max(0.0, (due - runtime.clock.now()).total_seconds()) + 0.05)
            if listener.is_closed():
                raise ConnectionError("the LISTEN connection closed; restarting the scheduler")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=pause)
    finally:
        await listener.close()
