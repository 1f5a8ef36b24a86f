"""Sign-up: a new organisation, its legal representative's account and their membership."""

from dataclasses import dataclass
from uuid import UUID

from tessera_events import identity as contract
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.domain.errors import EmailAlreadyRegistered, IdentityRuleBroken
from tessera_identity.domain.model import (
    Address,
    Locale,
    Organisation,
    OrganisationKind,
    User,
    check_password_strength,
    normalise_email,
)
from tessera_identity.service_layer.ports import Passwords
from tessera_kit.problems import Conflict, InvalidInput


@dataclass(frozen=True)
class RegisterOrganisation:
    """Sign an organisation up, with the person acting for it as its legal representative."""

    name: str
    kind: OrganisationKind
    country: str
    locale: Locale
    billing_email: str
    representative_email: str
    representative_name: str
    representative_password: str
    vat_number: str | None = None
    vat_terms_accepted: bool = False
    registry_number: str | None = None
    addresses: tuple[Address, ...] = ()


@dataclass(frozen=True)
class RegisteredOrganisation:
    """The ids of what sign-up created."""

    organisation_id: UUID
    user_id: UUID


async def register_organisation(
    uow: IdentityUnitOfWork, passwords: Passwords, command: RegisterOrganisation
) -> RegisteredOrganisation:
    """Create the organisation, the account and the membership, and announce all three."""
    try:
        check_password_strength(command.representative_password)
        email = normalise_email(command.representative_email)
    except IdentityRuleBroken as error:
        raise InvalidInput(str(error)) from error
    password_hash = await passwords.hash(command.representative_password)
    async with uow:
        now = uow.clock.now()
        try:
            user = User.register(
                email=email,
                display_name=command.representative_name,
                locale=command.locale,
                password_hash=password_hash,
                at=now,
            )
            organisation = Organisation.register(
                name=command.name,
                kind=command.kind,
                country=command.country,
                locale=command.locale,
                billing_email=command.billing_email,
                legal_representative=user,
                at=now,
                addresses=command.addresses,
            )
            organisation = organisation.with_vat_number(
                command.vat_number, terms_accepted=command.vat_terms_accepted, by=user.id, at=now
            ).with_registry_number(command.registry_number)
        except IdentityRuleBroken as error:
            raise InvalidInput(str(error)) from error
        if await uow.users.with_email(email) is not None:
            raise Conflict(f"{email} already has an account")
        try:
            await uow.users.add(user)
        except EmailAlreadyRegistered as error:
            # Someone signed up with the same address a moment ago, in a concurrent transaction.
            raise Conflict(str(error)) from error
        await uow.organisations.add(organisation)
        _announce(uow, organisation, user)
        await uow.commit()
    return RegisteredOrganisation(organisation_id=organisation.id, user_id=user.id)


def _announce(uow: IdentityUnitOfWork, organisation: Organisation, user: User) -> None:
    uow.emit(
        contract.OrganisationRegistered(
            organisation_id=organisation.id,
            name=organisation.name,
            kind=contract.OrganisationKind(organisation.kind.value),
            country=organisation.country,
            locale=contract.Locale(organisation.locale.value),
            billing_email=organisation.billing_email,
            registered_at=organisation.registered_at,
            vat_number=organisation.tax_ids.vat_number,
            registry_number=organisation.tax_ids.registry_number,
        )
    )
    uow.emit(
        contract.UserRegistered(
            user_id=user.id,
            email=user.email,
            display_name=user.display_name,
            locale=contract.Locale(user.locale.value),
        )
    )
    for member in organisation.memberships:
        uow.emit(
            contract.MembershipGranted(
                organisation_id=member.organisation_id,
                user_id=member.user_id,
                role=contract.Role(member.role.value),
                changed_by_user_id=user.id,
            )
        )
