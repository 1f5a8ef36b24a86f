"""Billing's background jobs: renewing subscriptions as their periods fall due."""

import asyncio
from typing import Any

import structlog

from tessera_billing.config import BillingSettings
from tessera_billing.domain.timeline import instant
from tessera_billing.service_layer.renewals import next_renewal_on, renew_due
from tessera_kit.service import Runtime

log = structlog.get_logger(__name__)


async def renew_when_due(runtime: Runtime[Any]) -> None:
    """Renew what is due, then sleep until the next renewal falls due (at most ``renewal_wake_seconds``).

    The next due day is read from an index, never polled in a loop; the cap only bounds how late a
    subscription ordered meanwhile is seen (its first renewal is a period away, so nothing is late).
    """
    settings = runtime.settings
    assert isinstance(settings, BillingSettings)
    while True:
        today = runtime.clock.now().date()
        run = await renew_due(runtime.unit_of_work, until=today)
        if run.invoices or run.failed:
            log.info("renewals run", renewed=len(run.invoices), failed=len(run.failed))
        next_day = await next_renewal_on(runtime.unit_of_work())
        wait = settings.renewal_wake_seconds
        if next_day is not None and next_day > today:
            until_due = (instant(next_day) - runtime.clock.now()).total_seconds()
            wait = min(wait, max(until_due, 1.0))
        await asyncio.sleep(wait)
