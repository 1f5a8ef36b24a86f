"""What identity's routes share: the unit of work, the caller, and the operator check."""

from typing import Annotated

import jwt
from fastapi import Depends, Request

from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.domain.api_tokens import Application
from tessera_kit.auth import Caller, authenticated_caller
from tessera_kit.problems import Forbidden
from tessera_kit.service import runtime_of


# async although nothing is awaited: FastAPI runs a plain ``def`` dependency in its thread pool, a
# thread hop on every request.
async def unit_of_work(request: Request) -> IdentityUnitOfWork:
    """A fresh unit of work on identity's database."""
    uow: IdentityUnitOfWork = runtime_of(request).unit_of_work()
    return uow


async def managing_caller(request: Request) -> Caller:
    """The caller, if their token may manage accounts and organisations here.

    A token from an app password is for mail, calendar and contacts only, and one from an API token
    works here only if the API token is for the identity application: both are refused with 403.
    """
    caller = await authenticated_caller(request)
    # The kit has just verified the signature; here we only read the claims it does not map.
    token = request.headers["authorization"].partition(" ")[2].strip()
    claims = jwt.decode(token, options={"verify_signature": False})
    methods = claims.get("amr", [])
    if "app_password" in methods:
        raise Forbidden("a token from an app password is for mail, calendar and contacts only")
    if "api_token" in methods and claims.get("app") != Application.IDENTITY.value:
        raise Forbidden(f"this API token is for {claims.get('app')}, not for identity")
    return caller


UnitOfWork = Annotated[IdentityUnitOfWork, Depends(unit_of_work)]
AnyCaller = Annotated[Caller, Depends(authenticated_caller)]
AuthenticatedCaller = Annotated[Caller, Depends(managing_caller)]

PROBLEMS: dict[int | str, dict[str, str]] = {
    401: {"description": "No valid access token, or a wrong password or code (problem+json)"},
    403: {"description": "Your role does not allow this (problem+json)"},
    404: {"description": "No such organisation among yours, or no such thing in it (problem+json)"},
    409: {"description": "The change clashes with the current state (problem+json)"},
    422: {"description": "The content breaks a rule (problem+json)"},
}
