"""Organisations, their profile, members and roles, over HTTP."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, EmailStr, Field

from tessera_identity.adapters.repository import MemberView
from tessera_identity.domain.model import (
    MAX_NAME_LENGTH,
    Address,
    Locale,
    Organisation,
    OrganisationKind,
    Role,
)
from tessera_identity.entrypoints.dependencies import PROBLEMS, Caller, UnitOfWork
from tessera_identity.service_layer.memberships import add_member, change_role, members_of, remove_member
from tessera_identity.service_layer.organisations import (
    ChangeOrganisation,
    change_organisation,
    organisation_for,
)
from tessera_kit.permissions import IDENTITY, requires

Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH)]
Short = Annotated[str, Field(min_length=1, max_length=200)]


class AddressIn(BaseModel):
    """A postal address."""

    purpose: Annotated[str, Field(min_length=1, max_length=32, examples=["billing"])]
    street: Short
    postal_code: Annotated[str, Field(min_length=1, max_length=16)]
    city: Short
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2, any case.")

    def to_domain(self) -> Address:
        """The address as the domain knows it."""
        return Address(self.purpose, self.street, self.postal_code, self.city, self.country)


class OrganisationOut(BaseModel):
    """An organisation's profile."""

    organisation_id: UUID
    name: str
    kind: OrganisationKind
    country: str
    locale: Locale
    billing_email: str
    vat_number: str | None
    vat_terms_accepted_at: datetime | None
    vat_terms_accepted_by_user_id: UUID | None
    registry_number: str | None
    addresses: list[AddressIn]
    registered_at: datetime

    @classmethod
    def of(cls, organisation: Organisation) -> "OrganisationOut":
        """The profile of a domain organisation."""
        tax = organisation.tax_ids
        return cls(
            organisation_id=organisation.id,
            name=organisation.name,
            kind=organisation.kind,
            country=organisation.country,
            locale=organisation.locale,
            billing_email=organisation.billing_email,
            vat_number=tax.vat_number,
            vat_terms_accepted_at=tax.vat_terms_accepted_at,
            vat_terms_accepted_by_user_id=tax.vat_terms_accepted_by,
            registry_number=tax.registry_number,
            addresses=[AddressIn(**a.__dict__) for a in organisation.addresses],
            registered_at=organisation.registered_at,
        )


class OrganisationChange(BaseModel):
    """Fields to change; leave a field out to keep it, send null to clear the VAT or registry number."""

    name: Name | None = None
    locale: Locale | None = None
    billing_email: EmailStr | None = None
    addresses: list[AddressIn] | None = Field(default=None, max_length=10)
    vat_number: str | None = Field(
        default=None, max_length=32, description="EU VAT number, e.g. DE136695976."
    )
    vat_terms_accepted: bool = Field(
        default=False, description="Needed with a VAT number: the terms accepted."
    )
    registry_number: str | None = Field(default=None, max_length=64, description="CHE UID, SIREN/SIRET, ...")


class MemberIn(BaseModel):
    """A person to add, by the e-mail address of their account, and their role."""

    email: EmailStr
    role: Role


class RoleIn(BaseModel):
    """A member's new role."""

    role: Role


class MemberOut(BaseModel):
    """A member of an organisation."""

    user_id: UUID
    email: str
    display_name: str
    role: Role
    granted_at: datetime

    @classmethod
    def of(cls, member: MemberView) -> "MemberOut":
        """The member as the API shows them."""
        return cls(**member.__dict__)


def organisation_router() -> APIRouter:
    """The routes of one organisation: profile and members."""
    router = APIRouter(
        prefix="/v1/organisations/{organisation_id}", tags=["organisations"], responses=PROBLEMS
    )

    @router.get(
        "",
        summary="An organisation you belong to",
        dependencies=[requires(IDENTITY["organisations:read"])],
    )
    async def get_organisation(organisation_id: UUID, caller: Caller, uow: UnitOfWork) -> OrganisationOut:
        return OrganisationOut.of(await organisation_for(uow, organisation_id, caller.user_id))

    @router.patch(
        "",
        summary="Change the profile (administrators), the VAT or registry number (legal representatives)",
        dependencies=[requires(IDENTITY["organisations:write"])],
    )
    async def patch_organisation(
        organisation_id: UUID, body: OrganisationChange, caller: Caller, uow: UnitOfWork
    ) -> OrganisationOut:
        given = body.model_fields_set - {"vat_terms_accepted"}
        command = ChangeOrganisation(
            organisation_id=organisation_id,
            by_user_id=caller.user_id,
            fields=frozenset(given),
            name=body.name,
            locale=body.locale,
            billing_email=body.billing_email,
            addresses=tuple(a.to_domain() for a in body.addresses) if body.addresses is not None else None,
            vat_number=body.vat_number,
            vat_terms_accepted=body.vat_terms_accepted,
            registry_number=body.registry_number,
        )
        return OrganisationOut.of(await change_organisation(uow, command))

    @router.get(
        "/members",
        tags=["members"],
        summary="The organisation's members and their roles",
        dependencies=[requires(IDENTITY["members:read"])],
    )
    async def list_members(organisation_id: UUID, caller: Caller, uow: UnitOfWork) -> list[MemberOut]:
        return [MemberOut.of(m) for m in await members_of(uow, organisation_id, caller.user_id)]

    @router.post(
        "/members",
        status_code=201,
        tags=["members"],
        summary="Add a person with an account",
        dependencies=[requires(IDENTITY["members:write"])],
    )
    async def post_member(
        organisation_id: UUID, body: MemberIn, caller: Caller, uow: UnitOfWork
    ) -> MemberOut:
        return MemberOut.of(await add_member(uow, organisation_id, caller.user_id, body.email, body.role))

    @router.put(
        "/members/{user_id}/role",
        tags=["members"],
        summary="Change a member's role (their earlier tokens carry the new one within seconds)",
        dependencies=[requires(IDENTITY["members:write"])],
    )
    async def put_role(
        organisation_id: UUID, user_id: UUID, body: RoleIn, caller: Caller, uow: UnitOfWork
    ) -> RoleIn:
        await change_role(uow, organisation_id, caller.user_id, user_id, body.role)
        return body

    @router.delete(
        "/members/{user_id}",
        status_code=204,
        tags=["members"],
        summary="Remove a member (or leave); never the last legal representative. Their tokens no longer "
        "reach the organisation in any service within seconds",
        dependencies=[requires(IDENTITY["members:write"])],
    )
    async def delete_member(
        organisation_id: UUID, user_id: UUID, caller: Caller, uow: UnitOfWork
    ) -> Response:
        await remove_member(uow, organisation_id, caller.user_id, user_id)
        return Response(status_code=204)

    return router
