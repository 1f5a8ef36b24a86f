"""A person's own account over HTTP: profile and password, 2FA and its recovery, app passwords."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, EmailStr, Field

from tessera_identity.domain.app_passwords import AppPassword
from tessera_identity.domain.model import MAX_NAME_LENGTH, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, Locale
from tessera_identity.domain.two_factor import RecoveryDocument
from tessera_identity.entrypoints.dependencies import (
    PROBLEMS,
    SIGN_IN_PROBLEMS,
    Caller,
    ClientThrottle,
    UnitOfWork,
)
from tessera_identity.service_layer import app_passwords, two_factor
from tessera_identity.service_layer.accounts import (
    ProfileChange,
    change_password,
    change_profile,
    confirm_password,
    create_account,
    sign_out_everywhere,
)
from tessera_identity.service_layer.issuing import IssuedToken, TokenPolicy
from tessera_identity.service_layer.ports import Passwords
from tessera_identity.service_layer.recovery import request_recovery
from tessera_kit.permissions import personal, public

Password = Annotated[str, Field(max_length=MAX_PASSWORD_LENGTH)]
Code = Annotated[str, Field(min_length=6, max_length=32)]


class AccessToken(BaseModel):
    """An access token to send as ``Authorization: Bearer <access_token>``."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="Seconds until the token expires.")

    @classmethod
    def of(cls, issued: IssuedToken) -> "AccessToken":
        """The response for a signed token."""
        return cls(access_token=issued.access_token, expires_in=issued.expires_in)


class AccountIn(BaseModel):
    """A person's own account, to be added to organisations later."""

    email: EmailStr
    display_name: Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH)]
    locale: Locale
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)


class AccountOut(BaseModel):
    """An account's public details."""

    user_id: UUID
    email: str
    display_name: str
    locale: Locale


class ProfileIn(BaseModel):
    """Profile fields to change; a new e-mail address needs ``current_password``."""

    email: EmailStr | None = None
    display_name: Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH)] | None = None
    locale: Locale | None = None
    current_password: Password | None = None


class PasswordChange(BaseModel):
    """The current password and the new one."""

    current_password: Password
    new_password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)


class EnrolmentOut(BaseModel):
    """The secret for the authenticator app; confirm with a code to turn 2FA on."""

    secret: str
    otpauth_uri: str


class CodeIn(BaseModel):
    """A code from the authenticator app."""

    code: Code


class PasswordAndCode(BaseModel):
    """The password, and a code from the authenticator app or a backup code."""

    password: Password
    code: Code


class BackupCodesOut(BaseModel):
    """Ten single-use backup codes, shown this once: keep them somewhere safe."""

    backup_codes: list[str]


class DocumentIn(BaseModel):
    """Metadata of an identity document uploaded for review (the file itself is stored elsewhere)."""

    kind: Literal["passport", "identity_card", "driving_licence", "selfie", "other"]
    filename: Annotated[str, Field(min_length=1, max_length=200)]
    sha256: str = Field(pattern="^[0-9a-f]{64}$")


class RecoveryIn(BaseModel):
    """A request to reset 2FA after losing the authenticator, with the account's password."""

    email: EmailStr
    password: Password
    documents: list[DocumentIn] = Field(min_length=1, max_length=5)
    message: Annotated[str, Field(max_length=2000)] | None = None


class RecoveryOut(BaseModel):
    """A filed recovery request."""

    request_id: UUID
    status: str
    submitted_at: datetime


class AppPasswordIn(BaseModel):
    """A name for the device or program that will use the app password."""

    name: Annotated[str, Field(min_length=1, max_length=100)]


class AppPasswordOut(BaseModel):
    """An app password, without its secret."""

    app_password_id: UUID
    name: str
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, password: AppPassword) -> "AppPasswordOut":
        """The listing of an app password."""
        return cls(
            app_password_id=password.id,
            name=password.name,
            created_at=password.created_at,
            last_used_at=password.last_used_at,
        )


class CreatedAppPasswordOut(AppPasswordOut):
    """A new app password with its secret, shown this once."""

    password: str


class AppPasswordCredentials(BaseModel):
    """What a mail, calendar or contacts client sends."""

    email: Annotated[str, Field(max_length=254)]
    password: Password


class AppPasswordSession(AccessToken):
    """Whom the app password belongs to, and an access token for the hosting provider's mail,
    calendar and contacts servers (no Tessera HTTP route accepts it)."""

    user_id: UUID


def account_router(passwords: Passwords, policy: TokenPolicy) -> APIRouter:
    """A person's account: profile, password, 2FA and app passwords."""
    router = APIRouter(responses=PROBLEMS)
    own = [personal()]

    @router.post(
        "/v1/users",
        status_code=201,
        tags=["accounts"],
        summary="Create a person's account",
        dependencies=[public()],
    )
    async def post_user(body: AccountIn, uow: UnitOfWork) -> AccountOut:
        user = await create_account(uow, passwords, body.email, body.display_name, body.locale, body.password)
        return AccountOut(
            user_id=user.id, email=user.email, display_name=user.display_name, locale=user.locale
        )

    @router.patch(
        "/v1/me",
        tags=["accounts"],
        summary="Change your e-mail address, name or language",
        dependencies=own,
        responses=SIGN_IN_PROBLEMS,
    )
    async def patch_me(
        body: ProfileIn, caller: Caller, uow: UnitOfWork, throttle: ClientThrottle
    ) -> AccountOut:
        change = ProfileChange(body.email, body.display_name, body.locale, body.current_password)
        user = await change_profile(uow, passwords, caller.user_id, change, throttle)
        return AccountOut(
            user_id=user.id, email=user.email, display_name=user.display_name, locale=user.locale
        )

    @router.put(
        "/v1/me/password",
        status_code=204,
        tags=["accounts"],
        summary="Change your password: every app password is revoked and every session ends",
        dependencies=own,
        responses=SIGN_IN_PROBLEMS,
    )
    async def put_password(
        body: PasswordChange, caller: Caller, uow: UnitOfWork, throttle: ClientThrottle
    ) -> Response:
        await change_password(
            uow, passwords, caller.user_id, body.current_password, body.new_password, throttle
        )
        return Response(status_code=204)

    @router.post(
        "/v1/me/sessions/revocation",
        status_code=204,
        tags=["accounts"],
        summary="Sign out everywhere: every access token issued to you until now is refused",
        dependencies=own,
    )
    async def post_sessions_revocation(caller: Caller, uow: UnitOfWork) -> Response:
        await sign_out_everywhere(uow, caller.user_id)
        return Response(status_code=204)

    @router.post(
        "/v1/me/two-factor/enrolment",
        tags=["two-factor"],
        summary="Start 2FA: a TOTP secret",
        dependencies=own,
    )
    async def post_enrolment(caller: Caller, uow: UnitOfWork, response: Response) -> EnrolmentOut:
        enrolment = await two_factor.enrol(uow, caller.user_id)
        response.headers["cache-control"] = "no-store"
        return EnrolmentOut(secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri)

    @router.post(
        "/v1/me/two-factor/confirmation",
        tags=["two-factor"],
        summary="Turn 2FA on with a code; backup codes",
        dependencies=own,
    )
    async def post_confirmation(
        body: CodeIn, caller: Caller, uow: UnitOfWork, response: Response
    ) -> BackupCodesOut:
        codes = await two_factor.confirm(uow, caller.user_id, body.code)
        response.headers["cache-control"] = "no-store"
        return BackupCodesOut(backup_codes=codes)

    @router.post(
        "/v1/me/two-factor/disable",
        status_code=204,
        tags=["two-factor"],
        summary="Turn 2FA off",
        dependencies=own,
        responses=SIGN_IN_PROBLEMS,
    )
    async def post_disable(
        body: PasswordAndCode, caller: Caller, uow: UnitOfWork, throttle: ClientThrottle
    ) -> Response:
        await confirm_password(uow, passwords, caller.user_id, body.password, throttle)
        await two_factor.disable(uow, caller.user_id, body.code)
        return Response(status_code=204)

    @router.post(
        "/v1/me/two-factor/backup-codes",
        tags=["two-factor"],
        summary="Ten new backup codes",
        dependencies=own,
        responses=SIGN_IN_PROBLEMS,
    )
    async def post_backup_codes(
        body: PasswordAndCode, caller: Caller, uow: UnitOfWork, throttle: ClientThrottle, response: Response
    ) -> BackupCodesOut:
        await confirm_password(uow, passwords, caller.user_id, body.password, throttle)
        codes = await two_factor.regenerate_backup_codes(uow, caller.user_id, body.code)
        response.headers["cache-control"] = "no-store"
        return BackupCodesOut(backup_codes=codes)

    @router.post(
        "/v1/two-factor/recovery-requests",
        status_code=202,
        tags=["two-factor"],
        summary="Lost the authenticator: ask for 2FA to be reset after review of identity documents",
        dependencies=[public()],
        responses=SIGN_IN_PROBLEMS,
    )
    async def post_recovery(body: RecoveryIn, uow: UnitOfWork, throttle: ClientThrottle) -> RecoveryOut:
        documents = tuple(RecoveryDocument(d.kind, d.filename, d.sha256) for d in body.documents)
        request = await request_recovery(
            uow, passwords, body.email, body.password, documents, body.message, throttle
        )
        return RecoveryOut(
            request_id=request.id, status=request.status.value, submitted_at=request.submitted_at
        )

    @router.get(
        "/v1/me/app-passwords",
        tags=["app-passwords"],
        summary="Your app passwords (no secrets)",
        dependencies=own,
    )
    async def list_app_passwords(caller: Caller, uow: UnitOfWork) -> list[AppPasswordOut]:
        return [AppPasswordOut.of(p) for p in await app_passwords.app_passwords_of(uow, caller.user_id)]

    @router.post(
        "/v1/me/app-passwords",
        status_code=201,
        tags=["app-passwords"],
        summary="Generate one, for a mail, calendar or contacts client",
        dependencies=own,
    )
    async def post_app_password(
        body: AppPasswordIn, caller: Caller, uow: UnitOfWork, response: Response
    ) -> CreatedAppPasswordOut:
        created = await app_passwords.create_app_password(uow, caller.user_id, body.name)
        response.headers["cache-control"] = "no-store"
        listed = AppPasswordOut.of(created.app_password)
        return CreatedAppPasswordOut(**listed.model_dump(), password=created.password)

    @router.delete(
        "/v1/me/app-passwords/{app_password_id}",
        status_code=204,
        tags=["app-passwords"],
        summary="Revoke one",
        dependencies=own,
    )
    async def delete_app_password(app_password_id: UUID, caller: Caller, uow: UnitOfWork) -> Response:
        await app_passwords.revoke_app_passwords(uow, caller.user_id, app_password_id)
        return Response(status_code=204)

    @router.delete(
        "/v1/me/app-passwords",
        status_code=204,
        tags=["app-passwords"],
        summary="Revoke them all",
        dependencies=own,
    )
    async def delete_app_passwords(caller: Caller, uow: UnitOfWork) -> Response:
        await app_passwords.revoke_app_passwords(uow, caller.user_id, None)
        return Response(status_code=204)

    @router.post(
        "/v1/app-passwords/authenticate",
        tags=["app-passwords"],
        summary="For the mail, calendar and contacts servers: an app password for an access token "
        "they verify (no Tessera HTTP route accepts it)",
        dependencies=[public()],
        responses=SIGN_IN_PROBLEMS,
    )
    async def authenticate(
        body: AppPasswordCredentials, uow: UnitOfWork, throttle: ClientThrottle, response: Response
    ) -> AppPasswordSession:
        user_id, issued = await app_passwords.authenticate_app_password(
            uow, policy, body.email, body.password, throttle
        )
        response.headers["cache-control"] = "no-store"
        return AppPasswordSession(
            user_id=user_id, access_token=issued.access_token, expires_in=issued.expires_in
        )

    return router
