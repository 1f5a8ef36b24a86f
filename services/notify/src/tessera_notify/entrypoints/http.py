"""notify's HTTP API: the delivery log of an organisation."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict

from tessera_kit.auth import Caller, authenticated_caller
from tessera_kit.service import runtime_of
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.deliveries import DeliveryStatus
from tessera_notify.service_layer.delivery_log import deliveries_of

router = APIRouter(prefix="/v1", tags=["deliveries"])


class DeliveryView(BaseModel):
    """One e-mail notify sent, or is still trying to send, to the organisation (without its body)."""

    model_config = ConfigDict(from_attributes=True)

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


def unit_of_work(request: Request) -> NotifyUnitOfWork:
    """A fresh unit of work for the request."""
    uow: NotifyUnitOfWork = runtime_of(request).unit_of_work()
    return uow


@router.get(
    "/organisations/{organisation_id}/deliveries",
    summary="E-mails sent to an organisation, newest first",
    responses={404: {"description": "No such organisation, or the caller is not one of its members."}},
)
async def list_deliveries(
    organisation_id: UUID,
    caller: Annotated[Caller, Depends(authenticated_caller)],
    uow: Annotated[NotifyUnitOfWork, Depends(unit_of_work)],
    status: DeliveryStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryView]:
    """The organisation's delivery log; members of the organisation only."""
    summaries = await deliveries_of(uow, caller, organisation_id, status, limit)
    return [DeliveryView.model_validate(summary) for summary in summaries]
