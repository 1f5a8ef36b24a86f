"""identity's HTTP API: sign-up, sign-in, who am I, and the public keys for outside verifiers."""

from datetime import timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, EmailStr, Field

from tessera_identity.adapters.keys import public_jwk
from tessera_identity.config import IdentitySettings
from tessera_identity.domain.model import (
    MAX_EMAIL_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    Locale,
    OrganisationKind,
    Role,
)
from tessera_identity.entrypoints.account_routes import AccessToken, account_router
from tessera_identity.entrypoints.api_token_routes import api_token_router
from tessera_identity.entrypoints.dependencies import SIGN_IN_PROBLEMS, Caller, ClientThrottle, UnitOfWork
from tessera_identity.entrypoints.operator_routes import operator_router
from tessera_identity.entrypoints.organisation_routes import AddressIn, organisation_router
from tessera_identity.service_layer.issuing import TokenPolicy
from tessera_identity.service_layer.ports import Passwords
from tessera_identity.service_layer.profiles import profile_of
from tessera_identity.service_layer.registration import RegisterOrganisation, register_organisation
from tessera_identity.service_layer.sessions import SecondFactor, sign_in
from tessera_identity.service_layer.signing_keys import published_keys
from tessera_kit.permissions import personal, public

Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH)]


class LegalRepresentative(BaseModel):
    """The person signing the organisation up; they become its legal representative."""

    email: EmailStr
    display_name: Name
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)


class OrganisationSignUp(BaseModel):
    """A new organisation and the person acting for it."""

    name: Name
    kind: OrganisationKind
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2, any case.")
    locale: Locale
    billing_email: EmailStr
    legal_representative: LegalRepresentative
    vat_number: str | None = Field(
        default=None, max_length=32, description="EU companies: VAT number, e.g. FR40303265045."
    )
    vat_terms_accepted: bool = Field(default=False, description="Needed with a VAT number.")
    registry_number: str | None = Field(
        default=None, max_length=64, description="Company registry number: CHE UID, SIREN/SIRET, ..."
    )
    addresses: list[AddressIn] = Field(default_factory=list, max_length=10)


class OrganisationCreated(BaseModel):
    """What sign-up created."""

    organisation_id: UUID
    user_id: UUID


class Credentials(BaseModel):
    """An e-mail address and password; with 2FA on, also a TOTP code or a backup code."""

    email: str = Field(max_length=MAX_EMAIL_LENGTH)
    password: str = Field(max_length=MAX_PASSWORD_LENGTH)
    totp_code: str | None = Field(default=None, max_length=16)
    backup_code: str | None = Field(default=None, max_length=32)


class MembershipOut(BaseModel):
    """An organisation the caller belongs to, and their role there."""

    organisation_id: UUID
    name: str
    role: Role


class Me(BaseModel):
    """The caller's account."""

    user_id: UUID
    email: str
    display_name: str
    locale: Locale
    memberships: list[MembershipOut]
    two_factor_enabled: bool


def create_routers(settings: IdentitySettings, passwords: Passwords) -> list[APIRouter]:
    """identity's routes, bound to its settings and password hasher.

    Several routers side by side rather than one including the others: the kit checks that every
    route of each router declares who may call it, and an included router's routes are not listed
    among the including router's own.
    """
    router = APIRouter()
    policy = TokenPolicy(
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        lifetime=timedelta(seconds=settings.access_token_lifetime_seconds),
    )

    @router.post(
        "/v1/organisations",
        status_code=201,
        tags=["organisations"],
        summary="Sign an organisation up, with its legal representative's account",
        responses={409: {"description": "The e-mail address already has an account"}},
        dependencies=[public()],
    )
    async def sign_up(body: OrganisationSignUp, uow: UnitOfWork) -> OrganisationCreated:
        representative = body.legal_representative
        created = await register_organisation(
            uow,
            passwords,
            RegisterOrganisation(
                name=body.name,
                kind=body.kind,
                country=body.country,
                locale=body.locale,
                billing_email=body.billing_email,
                representative_email=representative.email,
                representative_name=representative.display_name,
                representative_password=representative.password,
                vat_number=body.vat_number,
                vat_terms_accepted=body.vat_terms_accepted,
                registry_number=body.registry_number,
                addresses=tuple(address.to_domain() for address in body.addresses),
            ),
        )
        return OrganisationCreated(organisation_id=created.organisation_id, user_id=created.user_id)

    @router.post(
        "/v1/sessions",
        tags=["sessions"],
        summary="Sign in with e-mail and password for an access token",
        responses={
            401: {
                "description": "Wrong e-mail address, password or code; with 2FA on and no code, the "
                "problem has two_factor_required: true"
            },
            503: {"description": "No signing key yet (identity is starting)"},
            **SIGN_IN_PROBLEMS,
        },
        dependencies=[public()],
    )
    async def create_session(
        body: Credentials, uow: UnitOfWork, throttle: ClientThrottle, response: Response
    ) -> AccessToken:
        second = SecondFactor(body.totp_code, body.backup_code)
        issued = await sign_in(uow, passwords, policy, body.email, body.password, throttle, second)
        response.headers["cache-control"] = "no-store"
        return AccessToken(access_token=issued.access_token, expires_in=issued.expires_in)

    @router.get(
        "/v1/me",
        tags=["sessions"],
        summary="The caller's account and organisations",
        responses={401: {"description": "No valid access token"}},
        dependencies=[personal()],
    )
    async def me(caller: Caller, uow: UnitOfWork) -> Me:
        profile = await profile_of(uow, caller.user_id)
        return Me(
            user_id=profile.user.id,
            email=profile.user.email,
            display_name=profile.user.display_name,
            locale=profile.user.locale,
            memberships=[
                MembershipOut(organisation_id=m.organisation_id, name=m.organisation_name, role=m.role)
                for m in profile.memberships
            ],
            two_factor_enabled=profile.two_factor_enabled,
        )

    @router.get(
        "/.well-known/jwks.json",
        tags=["keys"],
        summary="The public keys that verify identity's access tokens (JWKS)",
        dependencies=[public()],
    )
    async def jwks(uow: UnitOfWork, response: Response) -> dict[str, list[dict[str, Any]]]:
        keys = await published_keys(uow)
        response.headers["cache-control"] = "public, max-age=60"
        return {"keys": [public_jwk(key) for key in keys]}

    return [
        router,
        organisation_router(),
        account_router(passwords, policy),
        api_token_router(passwords, policy),
        operator_router(settings),
    ]
