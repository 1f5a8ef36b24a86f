"""API tokens over HTTP: create (confirming the password), list, revoke, and exchange for access tokens."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import AwareDatetime, BaseModel, Field

from tessera_identity.domain.api_tokens import ApiToken, Application
from tessera_identity.entrypoints.account_routes import AccessToken, Password
from tessera_identity.entrypoints.dependencies import (
    PROBLEMS,
    SIGN_IN_PROBLEMS,
    Caller,
    ClientThrottle,
    UnitOfWork,
)
from tessera_identity.service_layer import api_tokens
from tessera_identity.service_layer.issuing import TokenPolicy
from tessera_identity.service_layer.ports import Passwords
from tessera_kit.permissions import IDENTITY, personal, public, requires


class ApiTokenIn(BaseModel):
    """A new API token: confirm the password; no ``expires_at`` means unlimited validity."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    application: Application
    permissions: list[Annotated[str, Field(max_length=64)]] = Field(
        min_length=1,
        max_length=32,
        examples=[["invoices:read"]],
        description="The application's permissions, as its catalogue names them without the application "
        "(e.g. billing's `invoices:read`); an unknown one is refused (422, listing the known ones).",
    )
    expires_at: AwareDatetime | None = None
    password: Password


class ApiTokenOut(BaseModel):
    """An API token, without its secret."""

    api_token_id: UUID
    organisation_id: UUID
    owner_user_id: UUID
    name: str
    application: Application
    permissions: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    deactivated_at: datetime | None
    deactivation_reason: str | None

    @classmethod
    def of(cls, token: ApiToken) -> "ApiTokenOut":
        """The listing of a token."""
        return cls(
            api_token_id=token.id,
            organisation_id=token.organisation_id,
            owner_user_id=token.owner_user_id,
            name=token.name,
            application=token.application,
            permissions=list(token.permissions),
            created_at=token.created_at,
            expires_at=token.expires_at,
            last_used_at=token.last_used_at,
            deactivated_at=token.deactivated_at,
            deactivation_reason=token.deactivation_reason.value if token.deactivation_reason else None,
        )


class CreatedApiTokenOut(ApiTokenOut):
    """A new API token with its secret, shown this once."""

    token: str


class ApiTokenExchange(BaseModel):
    """An API token to exchange for a short-lived access token."""

    api_token: Annotated[str, Field(min_length=1, max_length=200)]


def api_token_router(passwords: Passwords, policy: TokenPolicy) -> APIRouter:
    """API tokens of an organisation, and their exchange for access tokens."""
    router = APIRouter(tags=["api-tokens"], responses=PROBLEMS)
    base = "/v1/organisations/{organisation_id}/api-tokens"

    @router.post(
        base,
        status_code=201,
        summary="Create an API token (confirm your password)",
        dependencies=[personal()],
        responses=SIGN_IN_PROBLEMS,
    )
    async def post_api_token(
        organisation_id: UUID,
        body: ApiTokenIn,
        caller: Caller,
        uow: UnitOfWork,
        throttle: ClientThrottle,
        response: Response,
    ) -> CreatedApiTokenOut:
        command = api_tokens.NewApiToken(
            organisation_id=organisation_id,
            user_id=caller.user_id,
            password=body.password,
            name=body.name,
            application=body.application,
            permissions=body.permissions,
            expires_at=body.expires_at,
        )
        created = await api_tokens.create_api_token(uow, passwords, command, throttle)
        response.headers["cache-control"] = "no-store"
        return CreatedApiTokenOut(**ApiTokenOut.of(created.token).model_dump(), token=created.secret)

    @router.get(
        base,
        summary="API tokens: all of them for administrators, your own for members",
        dependencies=[requires(IDENTITY["api-tokens:read"])],
    )
    async def list_api_tokens(organisation_id: UUID, caller: Caller, uow: UnitOfWork) -> list[ApiTokenOut]:
        return [
            ApiTokenOut.of(t) for t in await api_tokens.api_tokens_of(uow, organisation_id, caller.user_id)
        ]

    @router.delete(
        base + "/{api_token_id}",
        summary="Revoke an API token: access tokens exchanged for it are refused within seconds",
        dependencies=[requires(IDENTITY["api-tokens:write"])],
    )
    async def delete_api_token(
        organisation_id: UUID, api_token_id: UUID, caller: Caller, uow: UnitOfWork
    ) -> ApiTokenOut:
        return ApiTokenOut.of(
            await api_tokens.revoke_api_token(uow, organisation_id, caller.user_id, api_token_id)
        )

    @router.post(
        "/v1/tokens/exchange",
        summary="Exchange an API token for a short-lived access token",
        dependencies=[public()],
        responses={
            403: {"description": "The token's owner no longer belongs to its organisation"},
            **SIGN_IN_PROBLEMS,
        },
    )
    async def exchange(
        body: ApiTokenExchange, uow: UnitOfWork, throttle: ClientThrottle, response: Response
    ) -> AccessToken:
        issued = await api_tokens.exchange_api_token(uow, policy, body.api_token, throttle)
        response.headers["cache-control"] = "no-store"
        return AccessToken.of(issued)

    return router
