"""Renewal reminders: each organisation's preferences, and the job that sends what falls due.

The job looks at renewals due within the longest lead time (62 days), sends the notices that fell
due under the paying organisation's current preferences (so a change takes effect at the next look,
and a change wakes the job at once), then sleeps until the next notice is due. Each notice is a row
unique on (subscription, renewal day, lead time), written in the same transaction as its
RenewalReminderDue event: after a restart, or with several replicas, a notice is never sent twice.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from tessera_billing.adapters.payments_repository import (
    REMINDERS_CHANNEL,
    PaymentsRepository,
    UpcomingRenewal,
)
from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.config import BillingSettings
from tessera_billing.domain.reminders import (
    MAX_LEAD_DAYS,
    Notice,
    ReminderPreferences,
    next_notice_at,
    notice_due,
)
from tessera_billing.service_layer.contracts import contract_money
from tessera_events.billing import ReminderKind, RenewalReminderDue
from tessera_kit.listening import run_on_notify
from tessera_kit.service import Runtime
from tessera_kit.telemetry import tracer


async def reminder_preferences(uow: BillingUnitOfWork, organisation_id: UUID) -> ReminderPreferences:
    """What the organisation chose, or the defaults."""
    async with uow:
        chosen = await PaymentsRepository(uow.session).preferences_of([organisation_id])
        return chosen[organisation_id]


async def change_reminder_preferences(
    uow: BillingUnitOfWork, organisation_id: UUID, preferences: ReminderPreferences, user_id: UUID
) -> ReminderPreferences:
    """Replace the organisation's preferences; the reminder job applies them at once."""
    async with uow:
        payments = PaymentsRepository(uow.session)
        await payments.save_preferences(organisation_id, preferences, user_id, uow.clock.now())
        await payments.wake(REMINDERS_CHANNEL)
        await uow.commit()
    return preferences


async def send_due_reminders(unit_of_work: Callable[[], BillingUnitOfWork]) -> datetime | None:
    """Send every notice due now; return when the next one falls due (None: none within 62 days)."""
    async with unit_of_work() as uow:
        payments = PaymentsRepository(uow.session)
        now = uow.clock.now()
        today = now.date()
        renewals = await payments.renewals_between(
            today + timedelta(days=1), today + timedelta(days=MAX_LEAD_DAYS)
        )
        preferences = await payments.preferences_of({renewal.payer_organisation_id for renewal in renewals})
        sent = await payments.sent_lead_days(
            (renewal.subscription_id, renewal.renews_on) for renewal in renewals
        )
        next_due: datetime | None = None
        for renewal in renewals:
            chosen = preferences[renewal.payer_organisation_id]
            already = sent.get((renewal.subscription_id, renewal.renews_on), set())
            notice = notice_due(chosen, renewal.renews_on, now, already)
            if notice is not None and await _remind(uow, payments, renewal, notice, now):
                already = already | {notice.lead_days}
            upcoming = next_notice_at(chosen, renewal.renews_on, now, already)
            if upcoming is not None and (next_due is None or upcoming < next_due):
                next_due = upcoming
        await uow.commit()
    return next_due


async def _remind(
    uow: BillingUnitOfWork,
    payments: PaymentsRepository,
    renewal: UpcomingRenewal,
    notice: Notice,
    now: datetime,
) -> bool:
    """Record the notice and emit it in a trace of its own (the e-mail continues it); False if sent before."""
    with tracer().start_as_current_span("renewal reminder due") as span:
        span.set_attribute("tessera.subscription_id", str(renewal.subscription_id))
        if not await payments.record_reminder(reminder_id := uuid4(), renewal, notice, now):
            return False
        uow.emit(_reminder_due(reminder_id, renewal, notice, now), occurred_at=now)
        return True


def _reminder_due(
    reminder_id: UUID, renewal: UpcomingRenewal, notice: Notice, now: datetime
) -> RenewalReminderDue:
    return RenewalReminderDue(
        reminder_id=reminder_id,
        subscription_id=renewal.subscription_id,
        owner_organisation_id=renewal.owner_organisation_id,
        payer_organisation_id=renewal.payer_organisation_id,
        kind=ReminderKind(notice.kind.value),
        product_code=renewal.product_code,
        product_name=renewal.product_name,
        price=contract_money(renewal.price),
        renews_on=renewal.renews_on,
        lead_days=notice.lead_days,
        due_at=notice.due_at,
    )


async def remind_renewals(runtime: Runtime[BillingUnitOfWork]) -> None:
    """Background job: send due notices, then sleep until the next is due (or preferences change)."""
    settings = runtime.settings
    assert isinstance(settings, BillingSettings)

    async def remind_what_is_due() -> float | None:
        next_due = await send_due_reminders(runtime.unit_of_work)
        return None if next_due is None else max((next_due - runtime.clock.now()).total_seconds(), 0.0)

    await run_on_notify(
        runtime.database.url,
        [REMINDERS_CHANNEL],
        remind_what_is_due,
        sweep_seconds=settings.payments_sweep_seconds,
        name="billing reminders",
    )
