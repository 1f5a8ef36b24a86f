"""Members and their roles: add a person, change their role, remove them.

Every change locks the organisation's row first, so two changes judge "is there still a legal
representative?" one after the other, never on the same snapshot.
"""

from uuid import UUID

from tessera_events import identity as contract
from tessera_identity.adapters.repository import MemberView
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.domain.errors import AlreadyMember, IdentityRuleBroken, LegalRepresentativeRequired
from tessera_identity.domain.model import Organisation, Role, normalise_email
from tessera_identity.domain.permissions import Action, action_for_membership_change, may
from tessera_identity.service_layer.access import require
from tessera_identity.service_layer.revocation import membership_changed, revocation_instant
from tessera_kit.problems import Conflict, Forbidden, InvalidInput, NotFound


async def members_of(uow: IdentityUnitOfWork, organisation_id: UUID, by_user_id: UUID) -> list[MemberView]:
    """The organisation's members, as one of them sees them."""
    async with uow:
        await require(uow, organisation_id, by_user_id, Action.VIEW)
        return await uow.organisations.members(organisation_id)


async def add_member(
    uow: IdentityUnitOfWork, organisation_id: UUID, by_user_id: UUID, email: str, role: Role
) -> MemberView:
    """Give the person with this e-mail address ``role`` in the organisation.

    They need an account already (``POST /v1/users``); identity never makes one behind their back.
    """
    async with uow:
        organisation = await _locked(
            uow, organisation_id, by_user_id, action_for_membership_change(None, role)
        )
        user = await uow.users.with_email(_email(email))
        if user is None:
            raise NotFound(f"no account signs in with {email}; ask them to create one first (POST /v1/users)")
        at = revocation_instant(uow)
        try:
            organisation = organisation.admit(user.id, role, at)
        except AlreadyMember as error:
            raise Conflict(str(error)) from error
        await uow.organisations.save_memberships(organisation)
        await membership_changed(uow, organisation_id, user.id, role, at)
        uow.emit(
            contract.MembershipGranted(
                organisation_id=organisation_id,
                user_id=user.id,
                role=contract.Role(role.value),
                changed_by_user_id=by_user_id,
            ),
            occurred_at=at,
        )
        await uow.commit()
    return MemberView(user.id, user.email, user.display_name, role, at)


async def change_role(
    uow: IdentityUnitOfWork, organisation_id: UUID, by_user_id: UUID, user_id: UUID, role: Role
) -> Role:
    """Give a member another role; the role they had. Refused for the last legal representative."""
    async with uow:
        organisation = await _locked(uow, organisation_id, by_user_id, Action.VIEW)
        current = _member_role(organisation, user_id)
        await _allowed(uow, organisation_id, by_user_id, action_for_membership_change(current, role))
        if current is role:
            return role
        try:
            organisation, previous = organisation.with_role(user_id, role)
        except LegalRepresentativeRequired as error:
            raise Conflict(str(error)) from error
        await uow.organisations.save_memberships(organisation)
        # Tokens issued before now carry the new role in every service, within seconds.
        at = revocation_instant(uow)
        await membership_changed(uow, organisation_id, user_id, role, at)
        uow.emit(
            contract.MembershipGranted(
                organisation_id=organisation_id,
                user_id=user_id,
                role=contract.Role(role.value),
                previous_role=contract.Role(previous.value),
                changed_by_user_id=by_user_id,
            ),
            occurred_at=at,
        )
        await uow.commit()
    return previous


async def remove_member(
    uow: IdentityUnitOfWork, organisation_id: UUID, by_user_id: UUID, user_id: UUID
) -> None:
    """Take a person out of the organisation (anyone may leave); refused for the last legal representative."""
    async with uow:
        organisation = await _locked(uow, organisation_id, by_user_id, Action.VIEW)
        current = _member_role(organisation, user_id)
        if user_id != by_user_id:
            await _allowed(uow, organisation_id, by_user_id, action_for_membership_change(current, None))
        try:
            organisation, ended = organisation.without(user_id)
        except LegalRepresentativeRequired as error:
            raise Conflict(str(error)) from error
        await uow.organisations.save_memberships(organisation)
        # Tokens issued before now no longer reach the organisation in any service, within seconds.
        at = revocation_instant(uow)
        await membership_changed(uow, organisation_id, user_id, None, at)
        uow.emit(
            contract.MembershipRevoked(
                organisation_id=organisation_id,
                user_id=user_id,
                role=contract.Role(ended.role.value),
                revoked_by_user_id=by_user_id,
                revoked_at=at,
            ),
            occurred_at=at,
        )
        await uow.commit()


async def _locked(
    uow: IdentityUnitOfWork, organisation_id: UUID, by_user_id: UUID, action: Action
) -> Organisation:
    await require(uow, organisation_id, by_user_id, action)
    organisation = await uow.organisations.get(organisation_id, for_update=True)
    if organisation is None:
        raise NotFound(f"no organisation {organisation_id}")
    return organisation


async def _allowed(uow: IdentityUnitOfWork, organisation_id: UUID, by_user_id: UUID, action: Action) -> None:
    role = await uow.organisations.role_of(organisation_id, by_user_id)
    if role is None or not may(role, action):
        raise Forbidden(f"a {role.value if role else 'non-member'} may not {action.value}")


def _member_role(organisation: Organisation, user_id: UUID) -> Role:
    membership = organisation.member(user_id)
    if membership is None:
        raise NotFound(f"{user_id} is not a member of this organisation")
    return membership.role


def _email(raw: str) -> str:
    try:
        return normalise_email(raw)
    except IdentityRuleBroken as error:
        raise InvalidInput(str(error)) from error
