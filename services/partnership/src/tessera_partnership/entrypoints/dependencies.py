"""What every route of partnership needs: the caller, a unit of work, the settings."""

from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Request

from tessera_kit.auth import Caller, authenticated_caller
from tessera_kit.service import runtime_of
from tessera_partnership.adapters.uow import PartnershipUnitOfWork
from tessera_partnership.config import PartnershipSettings


# async although nothing is awaited: FastAPI runs a plain ``def`` dependency in its thread pool, a
# thread hop on every request.
async def unit_of_work(request: Request) -> PartnershipUnitOfWork:
    """A fresh unit of work for one request."""
    uow: PartnershipUnitOfWork = runtime_of(request).unit_of_work()
    return uow


async def settings_of(request: Request) -> PartnershipSettings:
    """The running service's settings."""
    settings = runtime_of(request).settings
    assert isinstance(settings, PartnershipSettings)
    return settings


def days(count: int) -> timedelta:
    """A duration in days."""
    return timedelta(days=count)


CallerDep = Annotated[Caller, Depends(authenticated_caller)]
UowDep = Annotated[PartnershipUnitOfWork, Depends(unit_of_work)]
SettingsDep = Annotated[PartnershipSettings, Depends(settings_of)]
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid access token"},
    403: {"description": "Not allowed for the caller's role or side"},
    404: {"description": "Unknown, or not visible to the caller"},
}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "Clashes with the current state"}}
INVALID: dict[int | str, dict[str, Any]] = {422: {"description": "The content breaks a rule"}}
