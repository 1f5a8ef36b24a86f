"""What notify sent to an organisation (for its members), or to a person (for that person)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tessera_kit.auth import Caller
from tessera_kit.problems import NotFound
from tessera_notify.adapters.orm import DeliveryRow
from tessera_notify.adapters.repository import DeliveryCriteria
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.catalogue import Category
from tessera_notify.domain.deliveries import DeliveryStatus


@dataclass(frozen=True)
class DeliverySummary:
    """One e-mail in the log, without its body."""

    id: UUID
    notification: str
    category: Category
    cause_event_id: UUID
    organisation_id: UUID | None
    recipient_user_id: UUID | None
    recipient: str
    locale: str
    subject: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    failed_at: datetime | None


async def deliveries_of(
    uow: NotifyUnitOfWork, caller: Caller, organisation_id: UUID, criteria: DeliveryCriteria
) -> list[DeliverySummary]:
    """The organisation's e-mails, newest first; NotFound unless the caller is one of its members."""
    if not caller.is_member_of(organisation_id):
        # The same answer as for an organisation that does not exist: membership is not disclosed.
        raise NotFound(f"organisation {organisation_id} not found")
    async with uow:
        return _summaries(await uow.deliveries.for_organisation(organisation_id, criteria))


async def deliveries_to(
    uow: NotifyUnitOfWork, caller: Caller, criteria: DeliveryCriteria
) -> list[DeliverySummary]:
    """The e-mails written to the caller, whichever organisation they concern, newest first."""
    async with uow:
        return _summaries(await uow.deliveries.for_user(caller.user_id, criteria))


def _summaries(rows: Sequence[DeliveryRow]) -> list[DeliverySummary]:
    return [
        DeliverySummary(
            id=row.id,
            notification=row.notification,
            category=Category(row.category),
            cause_event_id=row.cause_event_id,
            organisation_id=row.organisation_id,
            recipient_user_id=row.recipient_user_id,
            recipient=row.recipient,
            locale=row.locale,
            subject=row.subject,
            status=DeliveryStatus(row.status),
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
            failed_at=row.failed_at,
        )
        for row in rows
    ]
