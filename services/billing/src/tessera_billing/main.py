"""Billing's composition root: its settings, schema, HTTP API, consumers, jobs and published topics."""

from pathlib import Path

from tessera_billing.adapters.payment_requests import payment_requests
from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.config import BillingSettings
from tessera_billing.domain.partner_limits import PartnerOrderLimits
from tessera_billing.entrypoints import (
    http,
    http_invoices,
    http_ledgers,
    http_operations,
    http_payments,
    http_tags,
    webhooks,
)
from tessera_billing.entrypoints.consumers import handlers
from tessera_billing.entrypoints.jobs import renew_when_due
from tessera_billing.service_layer.payments import collect_payments
from tessera_billing.service_layer.reminders import remind_renewals
from tessera_events import billing
from tessera_kit.cli import run_service
from tessera_kit.service import ServiceDefinition

SOURCE = "/tessera/billing"

# The payments side adds its routers, handlers and jobs to these lists.
ROUTERS = [
    http.router,
    http_invoices.router,
    http_ledgers.router,
    http_tags.router,
    http_operations.router,
    http_payments.router,
    webhooks.router,
]
BACKGROUND = [renew_when_due, collect_payments, remind_renewals]
PUBLISHES = [
    billing.SUBSCRIPTIONS,
    billing.PAYER_ASSIGNMENTS,
    billing.INVOICES,
    billing.CASHBACK,
    billing.PAYMENT_METHODS,
    billing.REMINDERS,
]


def define(settings: BillingSettings) -> ServiceDefinition[BillingUnitOfWork]:
    """The billing service, ready for the kit to run."""
    payments = payment_requests()
    limits = PartnerOrderLimits(settings.partner_order_max_minor, settings.partner_order_daily_max_minor)
    return ServiceDefinition(
        settings=settings,
        title="Tessera billing",
        description=(
            "The catalogue and its prices, subscriptions installed in the client's organisation, who pays "
            "for them, orders and renewals, invoices and tax, and partners' cashback."
        ),
        migrations_dir=Path(__file__).parent / "migrations",
        unit_of_work=lambda database, clock: BillingUnitOfWork(
            database, source=SOURCE, clock=clock, payments=payments, partner_order_limits=limits
        ),
        routers=ROUTERS,
        handlers=handlers,
        publishes=PUBLISHES,
        background=BACKGROUND,
    )


def run() -> None:
    """``tessera-billing serve`` or ``tessera-billing migrate``."""
    run_service("billing", BillingSettings, define)
