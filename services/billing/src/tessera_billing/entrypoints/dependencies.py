"""What every billing route needs: a unit of work, the caller, and the caller's organisations."""

from typing import Annotated

from fastapi import Depends, Request

from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_kit.auth import Caller, authenticated_caller
from tessera_kit.service import runtime_of


# async although nothing is awaited: FastAPI runs a plain ``def`` dependency in its thread pool, a
# thread hop on every request.
async def unit_of_work(request: Request) -> BillingUnitOfWork:
    """A fresh unit of work for the request's use case (the use case opens and commits it)."""
    uow: BillingUnitOfWork = runtime_of(request).unit_of_work()
    return uow


UnitOfWorkDep = Annotated[BillingUnitOfWork, Depends(unit_of_work)]
CallerDep = Annotated[Caller, Depends(authenticated_caller)]
