"""Identity operators (IDENTITY_OPERATOR_USER_IDS): review 2FA recovery requests, start a key rotation."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from tessera_identity.adapters.keys import generate_ed25519_key_pair
from tessera_identity.config import IdentitySettings
from tessera_identity.domain.two_factor import RecoveryRequest, RecoveryStatus
from tessera_identity.entrypoints.dependencies import PROBLEMS, Caller, UnitOfWork
from tessera_identity.service_layer.recovery import decide_recovery, recovery_requests
from tessera_identity.service_layer.signing_keys import publish_next_key
from tessera_kit.auth import Caller as KitCaller
from tessera_kit.permissions import IDENTITY, requires
from tessera_kit.problems import Forbidden


class DocumentOut(BaseModel):
    """A submitted document's metadata."""

    kind: str
    filename: str
    sha256: str


class RecoveryRequestOut(BaseModel):
    """A recovery request as an operator reviews it."""

    request_id: UUID
    user_id: UUID
    status: RecoveryStatus
    documents: list[DocumentOut]
    message: str | None
    submitted_at: datetime
    decided_at: datetime | None
    decided_by_user_id: UUID | None
    decision_reason: str | None

    @classmethod
    def of(cls, request: RecoveryRequest) -> "RecoveryRequestOut":
        """The review view of a request."""
        return cls(
            request_id=request.id,
            user_id=request.user_id,
            status=request.status,
            documents=[DocumentOut(**d.__dict__) for d in request.documents],
            message=request.message,
            submitted_at=request.submitted_at,
            decided_at=request.decided_at,
            decided_by_user_id=request.decided_by,
            decision_reason=request.decision_reason,
        )


class Decision(BaseModel):
    """An operator's decision; a rejection says why (the person is told)."""

    approve: bool
    reason: Annotated[str, Field(max_length=500)] | None = None


class NextKeyOut(BaseModel):
    """The key published ahead; it signs from ``not_before`` on."""

    key_id: str
    not_before: datetime


def operator_router(settings: IdentitySettings) -> APIRouter:
    """Routes only identity operators may call."""
    router = APIRouter(
        prefix="/v1/operator",
        tags=["operator"],
        responses=PROBLEMS,
        dependencies=[requires(IDENTITY["operations:write"])],
    )

    def operator(caller: KitCaller) -> UUID:
        if caller.user_id not in settings.operator_user_ids:
            raise Forbidden("only identity operators may do this")
        return caller.user_id

    @router.get("/two-factor/recovery-requests", summary="Recovery requests to review")
    async def list_requests(
        caller: Caller, uow: UnitOfWork, status: RecoveryStatus | None = RecoveryStatus.PENDING
    ) -> list[RecoveryRequestOut]:
        operator(caller)
        return [RecoveryRequestOut.of(r) for r in await recovery_requests(uow, status)]

    @router.post("/two-factor/recovery-requests/{request_id}/decision", summary="Approve or reject")
    async def post_decision(
        request_id: UUID, body: Decision, caller: Caller, uow: UnitOfWork
    ) -> RecoveryRequestOut:
        decided = await decide_recovery(uow, request_id, operator(caller), body.approve, body.reason)
        return RecoveryRequestOut.of(decided)

    @router.post("/signing-keys/rotation", status_code=202, summary="Publish the next signing key now")
    async def post_rotation(caller: Caller, uow: UnitOfWork) -> NextKeyOut:
        operator(caller)
        key = await publish_next_key(uow, generate_ed25519_key_pair, settings.rotation_policy)
        return NextKeyOut(key_id=key.key_id, not_before=key.not_before)

    return router
