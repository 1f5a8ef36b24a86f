"""Who may act on an organisation: checked against identity's own memberships, not the token's
claims, so a role taken away a minute ago is gone here at once."""

from uuid import UUID

from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.domain.model import Role
from tessera_identity.domain.permissions import Action, may
from tessera_kit.problems import Forbidden, NotFound


async def require(uow: IdentityUnitOfWork, organisation_id: UUID, user_id: UUID, action: Action) -> Role:
    """The caller's role, if it allows ``action``: NotFound for a non-member (who may not learn the
    organisation exists), Forbidden for a member whose role does not allow it."""
    role = await uow.organisations.role_of(organisation_id, user_id)
    if role is None:
        raise NotFound(f"no organisation {organisation_id} among yours")
    if not may(role, action):
        raise Forbidden(f"a {role.value} may not {action.value}", required_action=action.name.lower())
    return role
