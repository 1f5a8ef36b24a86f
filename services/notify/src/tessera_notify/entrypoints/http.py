"""notify's HTTP API: the catalogue, and the delivery log of an organisation or of oneself."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict

from tessera_kit.auth import Caller, authenticated_caller
from tessera_kit.permissions import NOTIFY, personal, public, requires
from tessera_kit.problems import InvalidInput
from tessera_kit.service import runtime_of
from tessera_notify.adapters.repository import DeliveryCriteria
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.catalogue import CATALOGUE, KINDS, Audience, Category
from tessera_notify.domain.deliveries import DeliveryStatus
from tessera_notify.service_layer.delivery_log import deliveries_of, deliveries_to

router = APIRouter(prefix="/v1", tags=["deliveries"])


class DeliveryView(BaseModel):
    """One e-mail notify sent, is still trying to send, or did not send (suppressed), without its body."""

    model_config = ConfigDict(from_attributes=True)

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


class NotificationView(BaseModel):
    """One notification of the catalogue."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    category: Category
    always_sent: bool
    triggers: tuple[str, ...]
    audience: Audience
    who: str
    summary: str


# async although nothing is awaited: FastAPI runs a plain ``def`` dependency in its thread pool, a
# thread hop on every request.
async def unit_of_work(request: Request) -> NotifyUnitOfWork:
    """A fresh unit of work for the request."""
    uow: NotifyUnitOfWork = runtime_of(request).unit_of_work()
    return uow


async def criteria(
    status: DeliveryStatus | None = None,
    notification: str | None = None,
    category: Category | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DeliveryCriteria:
    """The log's filters: status, notification (a catalogue name), category; at most ``limit`` rows."""
    if notification is not None and notification not in CATALOGUE:
        raise InvalidInput(f"unknown notification {notification!r}; see GET /v1/notifications")
    return DeliveryCriteria(status=status, notification=notification, category=category, limit=limit)


@router.get(
    "/notifications", summary="Every notification notify sends", tags=["catalogue"], dependencies=[public()]
)
async def list_notifications() -> list[NotificationView]:
    """The catalogue: each notification's category, triggering events and audience."""
    return [
        NotificationView(
            name=kind.name,
            category=kind.category,
            always_sent=kind.category.always_sent,
            triggers=kind.triggers,
            audience=kind.audience,
            who=kind.who,
            summary=kind.summary,
        )
        for kind in KINDS
    ]


@router.get(
    "/organisations/{organisation_id}/deliveries",
    summary="E-mails sent to an organisation, newest first",
    responses={404: {"description": "No such organisation, or the caller is not one of its members."}},
    dependencies=[requires(NOTIFY["deliveries:read"])],
)
async def list_deliveries(
    organisation_id: UUID,
    caller: Annotated[Caller, Depends(authenticated_caller)],
    uow: Annotated[NotifyUnitOfWork, Depends(unit_of_work)],
    filters: Annotated[DeliveryCriteria, Depends(criteria)],
) -> list[DeliveryView]:
    """The organisation's delivery log; members of the organisation only."""
    summaries = await deliveries_of(uow, caller, organisation_id, filters)
    return [DeliveryView.model_validate(summary) for summary in summaries]


@router.get(
    "/users/me/deliveries", summary="E-mails written to the caller, newest first", dependencies=[personal()]
)
async def list_own_deliveries(
    caller: Annotated[Caller, Depends(authenticated_caller)],
    uow: Annotated[NotifyUnitOfWork, Depends(unit_of_work)],
    filters: Annotated[DeliveryCriteria, Depends(criteria)],
) -> list[DeliveryView]:
    """Every e-mail addressed to the caller as a person (security notices included)."""
    summaries = await deliveries_to(uow, caller, filters)
    return [DeliveryView.model_validate(summary) for summary in summaries]
