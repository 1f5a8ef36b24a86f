"""Who may act for which organisation in partnership's use cases."""

from collections.abc import Collection
from datetime import datetime
from uuid import UUID

from tessera_kit.auth import MANAGER_ROLES, Caller
from tessera_kit.problems import Forbidden, NotFound
from tessera_partnership.domain.relationship import Relationship
from tessera_partnership.service_layer.problems import domain_rules


def require_member(caller: Caller, organisation_id: UUID) -> None:
    """The caller must belong to the organisation; outsiders are told it does not exist."""
    if not caller.is_member_of(organisation_id):
        raise NotFound(f"organisation {organisation_id} not found")


def require_manager(caller: Caller, organisation_id: UUID) -> None:
    """The caller must be a legal representative or an administrator of the organisation."""
    role = caller.role_in(organisation_id)
    if role is None:
        raise NotFound(f"organisation {organisation_id} not found")
    if role not in MANAGER_ROLES:
        raise Forbidden("only a legal representative or an administrator can do this")


def is_manager(caller: Caller, organisation_id: UUID) -> bool:
    """Whether the caller is a legal representative or an administrator of the organisation."""
    return caller.role_in(organisation_id) in MANAGER_ROLES


def require_programme_admin(caller: Caller, admin_organisations: Collection[UUID]) -> None:
    """The caller must manage one of the operator organisations that run the partner programme."""
    if not any(is_manager(caller, organisation) for organisation in admin_organisations):
        raise Forbidden("only the partner programme's administrators can do this")


def on_side(relationship: Relationship, organisation_id: UUID) -> Relationship:
    """The relationship if the organisation is one of its sides; 404 otherwise."""
    if organisation_id not in (relationship.client_organisation_id, relationship.partner_organisation_id):
        raise NotFound(f"relationship {relationship.id} not found")
    return relationship


def may_see(caller: Caller, relationship: Relationship, organisation_id: UUID) -> bool:
    """Members of the client see its relationships; on the partner's side, its managers and the staff
    allowed to manage this client."""
    if organisation_id == relationship.client_organisation_id:
        return caller.is_member_of(organisation_id)
    return is_manager(caller, organisation_id) or (
        caller.is_member_of(organisation_id) and caller.user_id in relationship.staff_user_ids
    )


def require_partner_user(
    caller: Caller, relationship: Relationship, now: datetime, product_code: str | None = None
) -> None:
    """The caller may act on the client (on this product) for the partner: access in force, covering
    the product, and a staff permission."""
    partner = relationship.partner_organisation_id
    require_member(caller, partner)
    with domain_rules():
        relationship.authorise_partner_user(
            caller.user_id, is_partner_manager=is_manager(caller, partner), now=now, product_code=product_code
        )
