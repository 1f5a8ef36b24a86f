"""notify's HTTP API for preferences: which categories of notifications an organisation or a person gets."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, StrictBool

from tessera_kit.auth import Caller, authenticated_caller
from tessera_kit.inputs import RequestBody
from tessera_kit.permissions import NOTIFY, personal, requires
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.catalogue import Category
from tessera_notify.entrypoints.http import unit_of_work
from tessera_notify.service_layer import preferences

router = APIRouter(prefix="/v1", tags=["preferences"])


class ChoiceView(BaseModel):
    """A category: on or off, whether it can be switched off, and the notifications it covers."""

    model_config = ConfigDict(from_attributes=True)

    category: Category
    enabled: bool
    always_sent: bool
    notifications: tuple[str, ...]


class Choice(RequestBody):
    """The body of a PUT: on or off."""

    enabled: StrictBool


@router.get(
    "/organisations/{organisation_id}/notification-preferences",
    summary="Which notifications the organisation receives",
    responses={404: {"description": "No such organisation, or the caller is not one of its members."}},
    dependencies=[requires(NOTIFY["preferences:read"])],
)
async def organisation_preferences(
    organisation_id: UUID,
    caller: Annotated[Caller, Depends(authenticated_caller)],
    uow: Annotated[NotifyUnitOfWork, Depends(unit_of_work)],
) -> list[ChoiceView]:
    """Every category with the organisation's choice; members of the organisation only."""
    choices = await preferences.organisation_choices(uow, caller, organisation_id)
    return [ChoiceView.model_validate(choice) for choice in choices]


@router.put(
    "/organisations/{organisation_id}/notification-preferences/{category}",
    summary="Switch a category on or off for the organisation",
    responses={
        403: {"description": "The caller is a member, but not a legal representative or administrator."},
        404: {"description": "No such organisation, or the caller is not one of its members."},
        422: {"description": "Security notices cannot be switched off."},
    },
    dependencies=[requires(NOTIFY["preferences:write"])],
)
async def choose_for_organisation(
    organisation_id: UUID,
    category: Category,
    choice: Choice,
    caller: Annotated[Caller, Depends(authenticated_caller)],
    uow: Annotated[NotifyUnitOfWork, Depends(unit_of_work)],
) -> ChoiceView:
    """Applies at once to every notice about the organisation, its billing contact included."""
    chosen = await preferences.choose_for_organisation(uow, caller, organisation_id, category, choice.enabled)
    return ChoiceView.model_validate(chosen)


@router.get(
    "/users/me/notification-preferences",
    summary="Which notifications the caller receives",
    dependencies=[personal()],
)
async def own_preferences(
    caller: Annotated[Caller, Depends(authenticated_caller)],
    uow: Annotated[NotifyUnitOfWork, Depends(unit_of_work)],
) -> list[ChoiceView]:
    """Every category with the caller's own choice."""
    return [ChoiceView.model_validate(choice) for choice in await preferences.own_choices(uow, caller)]


@router.put(
    "/users/me/notification-preferences/{category}",
    summary="Switch a category on or off for oneself",
    responses={422: {"description": "Security notices cannot be switched off."}},
    dependencies=[personal()],
)
async def choose_for_self(
    category: Category,
    choice: Choice,
    caller: Annotated[Caller, Depends(authenticated_caller)],
    uow: Annotated[NotifyUnitOfWork, Depends(unit_of_work)],
) -> ChoiceView:
    """Applies at once to every notice written to the caller."""
    return ChoiceView.model_validate(await preferences.choose_for_self(uow, caller, category, choice.enabled))
