"""The notify service: its parts, put together for the kit to run."""

from datetime import timedelta
from pathlib import Path

from tessera_events.notify import DELIVERIES
from tessera_kit.cli import run_service
from tessera_kit.service import ServiceDefinition
from tessera_notify.adapters.mailer import SmtpMailer
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.config import NotifySettings
from tessera_notify.domain.deliveries import RetrySchedule
from tessera_notify.entrypoints.consumers import notify_handlers
from tessera_notify.entrypoints.http import router
from tessera_notify.entrypoints.preferences_http import router as preferences_router
from tessera_notify.entrypoints.sender import DeliveryWorker


def define(settings: NotifySettings) -> ServiceDefinition[NotifyUnitOfWork]:
    """notify as the kit runs it: HTTP API, consumers, outbox relay, and the e-mail sender."""
    worker = DeliveryWorker(
        mailer=SmtpMailer(settings),
        schedule=RetrySchedule(
            max_attempts=settings.max_delivery_attempts,
            initial_backoff=timedelta(seconds=settings.delivery_initial_backoff_seconds),
            max_backoff=timedelta(seconds=settings.delivery_max_backoff_seconds),
        ),
        sweep_seconds=settings.delivery_sweep_seconds,
        connections=settings.smtp_connections,
    )
    return ServiceDefinition(
        settings=settings,
        title="Tessera notify",
        description=(
            "Tells people by e-mail what happened to their organisation, in their language, exactly "
            "once per cause, recipient and notification; keeps the delivery log."
        ),
        migrations_dir=Path(__file__).parent / "migrations",
        unit_of_work=lambda database, clock: NotifyUnitOfWork(
            database,
            source="/tessera/notify",
            clock=clock,
            notice_max_age=timedelta(hours=settings.notice_max_age_hours),
        ),
        routers=[router, preferences_router],
        handlers=notify_handlers(settings.offer_links),
        publishes=[DELIVERIES],
        background=[worker.retry_due_deliveries],
        after_commit=worker.after_commit,
    )


def run() -> None:
    """``tessera-notify migrate`` / ``tessera-notify serve``."""
    run_service("notify", NotifySettings, define)
