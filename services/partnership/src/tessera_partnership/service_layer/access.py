"""Who may act for which organisation in partnership's use cases."""

from uuid import UUID

from tessera_events.identity import Role
from tessera_kit.auth import Caller
from tessera_kit.problems import Forbidden, NotFound
from tessera_partnership.domain.relationship import Relationship

MANAGERS = frozenset({Role.LEGAL_REPRESENTATIVE, Role.ADMINISTRATOR})


def require_manager(caller: Caller, organisation_id: UUID) -> None:
    """The caller must be a legal representative or an administrator of the organisation."""
    role = caller.role_in(organisation_id)
    if role is None:
        raise NotFound(f"organisation {organisation_id} not found")
    if role not in MANAGERS:
        raise Forbidden("only a legal representative or an administrator can do this")


def acting_organisation(caller: Caller, relationship: Relationship) -> UUID:
    """The side of the relationship the caller acts for (the client first); 404 for outsiders."""
    for side in (relationship.client_organisation_id, relationship.partner_organisation_id):
        role = caller.role_in(side)
        if role is not None:
            if role not in MANAGERS:
                raise Forbidden("only a legal representative or an administrator can do this")
            return side
    raise NotFound(f"relationship {relationship.id} not found")
