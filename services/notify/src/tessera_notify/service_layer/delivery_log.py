"""What notify sent to an organisation, for the people who belong to it."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tessera_kit.auth import Caller
from tessera_kit.problems import NotFound
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.deliveries import DeliveryStatus


@dataclass(frozen=True)
class DeliverySummary:
    """One e-mail in the log, without its body."""

    id: UUID
    notification: str
    cause_event_id: UUID
    organisation_id: UUID
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
    uow: NotifyUnitOfWork,
    caller: Caller,
    organisation_id: UUID,
    status: DeliveryStatus | None,
    limit: int,
) -> list[DeliverySummary]:
    """The organisation's e-mails, newest first; NotFound unless the caller is one of its members."""
    if not caller.is_member_of(organisation_id):
        # The same answer as for an organisation that does not exist: membership is not disclosed.
        raise NotFound(f"organisation {organisation_id} not found")
    async with uow:
        rows = await uow.deliveries.for_organisation(organisation_id, status, limit)
        return [
            DeliverySummary(
                id=row.id,
                notification=row.notification,
                cause_event_id=row.cause_event_id,
                organisation_id=row.organisation_id,
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
