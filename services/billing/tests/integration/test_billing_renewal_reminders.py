"""Renewal reminders on the running service: the organisation's preferences apply at once, and a
reminder is sent once, even when the service restarts."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from payments_support import with_stripe
from sqlalchemy import text

from tessera_billing.adapters.payment_requests import payment_requests
from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.config import BillingSettings
from tessera_billing.domain.reminders import ReminderPreferences
from tessera_billing.main import define
from tessera_billing.service_layer.reminders import change_reminder_preferences, send_due_reminders
from tessera_billing.service_layer.subscriptions import order_subscription
from tessera_devtools.endpoints import Endpoints
from tessera_devtools.testing import KafkaProbe, RunningService, TokenIssuer, running_service
from tessera_events import Currency
from tessera_events.billing import REMINDERS
from tessera_events.identity import Role
from tessera_kit.auth import Caller
from tessera_kit.db import Database

pytestmark = pytest.mark.integration

# A monthly product renews 28 to 31 days after it is ordered: these lead times catch it whatever the month.
AROUND_A_MONTH = [31, 30, 29, 28]


@pytest.fixture
def settings(billing_settings: BillingSettings, infra: Endpoints) -> BillingSettings:
    return with_stripe(billing_settings, infra)


@pytest.fixture
async def issuer(settings: BillingSettings) -> TokenIssuer:
    issuer = TokenIssuer(settings.database_url)
    await issuer.trust()
    return issuer


@pytest.fixture
async def billing(settings: BillingSettings) -> AsyncIterator[RunningService[BillingSettings]]:
    async with running_service(define, settings) as running:
        yield running


def _preferences(enabled: bool) -> dict[str, Any]:
    return {
        "reminders_enabled": enabled,
        "lead_days": AROUND_A_MONTH,
        "auto_renewal_notice": False,
    }


async def _order_monthly(
    billing: RunningService[BillingSettings], organisation: UUID, headers: dict[str, str]
) -> dict[str, Any]:
    ordered = await billing.http.post(
        f"/v1/organisations/{organisation}/subscriptions",
        json={"product_code": "mail-pro", "currency": "EUR"},
        headers=headers,
    )
    assert ordered.status_code == 201, ordered.text
    subscription: dict[str, Any] = ordered.json()
    return subscription


async def _reminders_sent(database_url: str, subscription_id: str) -> int:
    database = Database(database_url)
    try:
        async with database.session() as session:
            count = await session.scalar(
                text("SELECT count(*) FROM renewal_reminders WHERE subscription_id = :id"),
                {"id": subscription_id},
            )
        return int(count or 0)
    finally:
        await database.dispose()


async def test_a_renewal_reminder_is_sent_once_even_when_the_service_restarts(
    settings: BillingSettings, issuer: TokenIssuer, kafka: KafkaProbe
) -> None:
    organisation = uuid4()
    admin = issuer.headers({organisation: Role.ADMINISTRATOR})
    async with running_service(define, settings) as billing:
        chosen = await billing.http.put(
            f"/v1/organisations/{organisation}/reminder-preferences", json=_preferences(True), headers=admin
        )
        assert chosen.status_code == 200, chosen.text
        subscription = await _order_monthly(billing, organisation, admin)
        reminder = await kafka.first(
            REMINDERS.name, lambda event: str(event.data.subscription_id) == subscription["subscription_id"]
        )

    async with running_service(define, settings):
        await asyncio.sleep(3 * settings.payments_sweep_seconds + 1)

    renews_on = date.fromisoformat(subscription["next_renewal_on"])
    assert reminder.data.renews_on == renews_on
    assert reminder.data.lead_days == (renews_on - datetime.now(UTC).date()).days
    assert reminder.data.kind == "renewal_reminder"
    assert reminder.data.payer_organisation_id == organisation
    assert await _reminders_sent(settings.database_url, subscription["subscription_id"]) == 1
    with pytest.raises(AssertionError, match="1 of 2"):
        await kafka.collect(
            REMINDERS.name,
            lambda event: str(event.data.subscription_id) == subscription["subscription_id"],
            count=2,
            timeout=5,
        )


async def test_reminders_switched_off_are_not_sent_and_switching_them_on_sends_at_once(
    billing: RunningService[BillingSettings], issuer: TokenIssuer, kafka: KafkaProbe
) -> None:
    organisation = uuid4()
    admin = issuer.headers({organisation: Role.LEGAL_REPRESENTATIVE})
    base = f"/v1/organisations/{organisation}/reminder-preferences"
    assert (await billing.http.put(base, json=_preferences(False), headers=admin)).status_code == 200
    subscription = await _order_monthly(billing, organisation, admin)

    await asyncio.sleep(3 * billing.settings.payments_sweep_seconds + 1)
    assert await _reminders_sent(billing.settings.database_url, subscription["subscription_id"]) == 0

    switched_on = await billing.http.put(base, json=_preferences(True), headers=admin)
    assert switched_on.json()["reminders_enabled"] is True
    reminder = await kafka.first(
        REMINDERS.name,
        lambda event: str(event.data.subscription_id) == subscription["subscription_id"],
        timeout=10,
    )
    assert reminder.data.lead_days in AROUND_A_MONTH


async def test_preferences_start_at_the_defaults_and_refuse_lead_times_beyond_two_months(
    billing: RunningService[BillingSettings], issuer: TokenIssuer
) -> None:
    organisation = uuid4()
    base = f"/v1/organisations/{organisation}/reminder-preferences"
    member = issuer.headers({organisation: Role.MEMBER})
    admin = issuer.headers({organisation: Role.ADMINISTRATOR})

    defaults = await billing.http.get(base, headers=member)
    too_far = await billing.http.put(base, json={**_preferences(True), "lead_days": [63]}, headers=admin)
    repeated = await billing.http.put(base, json={**_preferences(True), "lead_days": [7, 7]}, headers=admin)
    by_member = await billing.http.put(base, json=_preferences(True), headers=member)
    by_outsider = await billing.http.get(base, headers=issuer.headers({uuid4(): Role.ADMINISTRATOR}))

    assert defaults.json() == {
        "reminders_enabled": True,
        "lead_days": [30, 7],
        "auto_renewal_notice": True,
    }
    assert (too_far.status_code, repeated.status_code) == (422, 422)
    assert too_far.headers["content-type"].startswith("application/problem+json")
    assert by_member.status_code == 403
    assert by_outsider.status_code == 404


async def test_two_replicas_looking_at_once_send_a_due_reminder_once(settings: BillingSettings) -> None:
    database = Database(settings.database_url)
    payments = payment_requests()

    def unit_of_work() -> BillingUnitOfWork:
        return BillingUnitOfWork(database, source="/tessera/billing", payments=payments)

    organisation = uuid4()
    try:
        await change_reminder_preferences(
            unit_of_work(), organisation, ReminderPreferences(lead_days=tuple(AROUND_A_MONTH)), uuid4()
        )
        subscription, _ = await order_subscription(
            unit_of_work(),
            organisation_id=organisation,
            product_code="mail-pro",
            price_currency=Currency.EUR,
            relationship_id=None,
            caller=Caller(uuid4(), {organisation: Role.MEMBER}),
        )

        await asyncio.gather(*(send_due_reminders(unit_of_work) for _ in range(4)))

        async with database.session() as session:
            announced = await session.scalar(
                text(
                    "SELECT count(*) FROM tessera_outbox WHERE event_type = :type "
                    "AND payload::jsonb->'data'->>'subscription_id' = :id"
                ),
                {"type": "tessera.billing.RenewalReminderDue.v1", "id": str(subscription.subscription_id)},
            )
    finally:
        await database.dispose()
    assert announced == 1
    assert await _reminders_sent(settings.database_url, str(subscription.subscription_id)) == 1
