"""Who may see an organisation's products: its members, and its partner's staff within the access granted.

A member of the partner acts for the client only when all of these hold (every billing route that
acts for a client goes through :func:`product_access` or :func:`partner_relationship`):

* the relationship is in force and its access covers the product (full, or restricted to products);
* the partner is not suspended in, or gone from, the partner programme (partnership's
  PartnerStatusChanged; partnership admits a partner before any relationship starts);
* the member is one of the partner's legal representatives or administrators, or is on the
  client's staff list (partnership's PartnerStaffChanged).

Outsiders get 404, never 403: they must not learn that the organisation or the product exists.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.domain.relationships import Relationship
from tessera_events.partnership import PartnerStatus
from tessera_kit.auth import MANAGER_ROLES, Caller
from tessera_kit.problems import NotFound

# Statuses in which a partner may not act for its clients; no status known yet means partnership
# admitted it (it starts no relationship otherwise) and its status event is still on its way.
BARRED = frozenset({PartnerStatus.APPLIED.value, PartnerStatus.SUSPENDED.value, PartnerStatus.LEFT.value})


@dataclass(frozen=True)
class ProductAccess:
    """Which of an organisation's products a caller reaches: all of them, or the products listed."""

    organisation_id: UUID
    member: bool
    all_products: bool
    product_codes: frozenset[str] = frozenset()

    def reaches(self, product_code: str) -> bool:
        """Whether the caller may see a product of this code."""
        return self.all_products or product_code in self.product_codes


async def product_access(
    uow: BillingUnitOfWork, caller: Caller, organisation_id: UUID, at: datetime
) -> ProductAccess:
    """The caller's reach into the organisation's products (inside an open unit of work); 404 for none."""
    if caller.is_member_of(organisation_id):
        return ProductAccess(organisation_id, member=True, all_products=True)
    codes: set[str] = set()
    for relationship in await acting_relationships(uow, caller, organisation_id, at):
        if relationship.manages_every_product:
            return ProductAccess(organisation_id, member=False, all_products=True)
        codes.update(relationship.product_codes)
    if not codes:
        raise NotFound(f"organisation {organisation_id} not found")
    return ProductAccess(organisation_id, member=False, all_products=False, product_codes=frozenset(codes))


async def acting_relationships(
    uow: BillingUnitOfWork, caller: Caller, client_organisation_id: UUID, at: datetime
) -> list[Relationship]:
    """The client's relationships through which the caller may act for it now, as a partner's user."""
    found = []
    for relationship in await uow.relationships.of_client_with(client_organisation_id, caller.roles.keys()):
        if await may_act_through(uow, caller, relationship, at):
            found.append(relationship)
    return found


async def may_act_through(
    uow: BillingUnitOfWork, caller: Caller, relationship: Relationship, at: datetime
) -> bool:
    """Whether the caller may act for the client through this relationship at ``at``."""
    role = caller.role_in(relationship.partner_organisation_id)
    if role is None or not relationship.is_active_on(at):
        return False
    if not relationship.lets_user_act(caller.user_id, is_partner_manager=role in MANAGER_ROLES):
        return False
    return await uow.parties.partner_status(relationship.partner_organisation_id) not in BARRED


def require_member(caller_organisations: Collection[UUID], organisation_id: UUID) -> None:
    """404 unless the caller belongs to the organisation."""
    if organisation_id not in caller_organisations:
        raise NotFound(f"organisation {organisation_id} not found")
