"""An organisation's profile: read it, and change it (name, locale, contact, addresses, VAT, registry)."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tessera_events import identity as contract
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.domain.errors import IdentityRuleBroken
from tessera_identity.domain.model import Address, Locale, Organisation
from tessera_identity.domain.permissions import Action
from tessera_identity.service_layer.access import require
from tessera_kit.problems import InvalidInput, NotFound

PROFILE_FIELDS = ("name", "locale", "billing_email", "addresses")
TAX_FIELDS = ("vat_number", "registry_number")


@dataclass(frozen=True)
class ChangeOrganisation:
    """Change some of an organisation's details; a field left out (not in ``fields``) is kept."""

    organisation_id: UUID
    by_user_id: UUID
    fields: frozenset[str]
    name: str | None = None
    locale: Locale | None = None
    billing_email: str | None = None
    addresses: tuple[Address, ...] | None = None
    vat_number: str | None = None
    vat_terms_accepted: bool = False
    registry_number: str | None = None


async def organisation_for(uow: IdentityUnitOfWork, organisation_id: UUID, user_id: UUID) -> Organisation:
    """An organisation, as a member sees it."""
    async with uow:
        await require(uow, organisation_id, user_id, Action.VIEW)
        organisation = await uow.organisations.get(organisation_id)
    if organisation is None:
        raise NotFound(f"no organisation {organisation_id}")
    return organisation


async def change_organisation(uow: IdentityUnitOfWork, command: ChangeOrganisation) -> Organisation:
    """Apply the change, and announce the whole profile with the fields that changed."""
    async with uow:
        # Even an empty change answers with the profile: only those who may see it get that far.
        await require(uow, command.organisation_id, command.by_user_id, Action.VIEW)
        if command.fields & set(PROFILE_FIELDS):
            await require(uow, command.organisation_id, command.by_user_id, Action.EDIT_PROFILE)
        if command.fields & set(TAX_FIELDS):
            await require(uow, command.organisation_id, command.by_user_id, Action.EDIT_TAX_IDS)
        before = await uow.organisations.get(command.organisation_id, for_update=True)
        if before is None:
            raise NotFound(f"no organisation {command.organisation_id}")
        try:
            after = _changed(before, command, uow.clock.now())
        except IdentityRuleBroken as error:
            raise InvalidInput(str(error)) from error
        changed = _changed_fields(before, after)
        if changed:
            await uow.organisations.save_profile(after)
            uow.emit(organisation_updated(after, changed, uow.clock.now()))
            await uow.commit()
    return after


def _changed(organisation: Organisation, command: ChangeOrganisation, now: datetime) -> Organisation:
    given = command.fields
    after = organisation.with_profile(
        name=command.name if "name" in given else None,
        locale=command.locale if "locale" in given else None,
        billing_email=command.billing_email if "billing_email" in given else None,
        addresses=command.addresses if "addresses" in given else None,
    )
    if "vat_number" in given:
        after = after.with_vat_number(
            command.vat_number, terms_accepted=command.vat_terms_accepted, by=command.by_user_id, at=now
        )
    if "registry_number" in given:
        after = after.with_registry_number(command.registry_number)
    return after


def _changed_fields(before: Organisation, after: Organisation) -> tuple[str, ...]:
    values = {
        "name": (before.name, after.name),
        "locale": (before.locale, after.locale),
        "billing_email": (before.billing_email, after.billing_email),
        "addresses": (before.addresses, after.addresses),
        "vat_number": (before.tax_ids.vat_number, after.tax_ids.vat_number),
        "registry_number": (before.tax_ids.registry_number, after.tax_ids.registry_number),
    }
    return tuple(name for name, (old, new) in values.items() if old != new)


def organisation_updated(
    organisation: Organisation, changed: tuple[str, ...], at: datetime
) -> contract.OrganisationUpdated:
    """The event announcing an organisation's profile after a change."""
    return contract.OrganisationUpdated(
        organisation_id=organisation.id,
        name=organisation.name,
        kind=contract.OrganisationKind(organisation.kind.value),
        country=organisation.country,
        locale=contract.Locale(organisation.locale.value),
        billing_email=organisation.billing_email,
        vat_number=organisation.tax_ids.vat_number,
        registry_number=organisation.tax_ids.registry_number,
        changed_fields=changed,
        updated_at=at,
    )
