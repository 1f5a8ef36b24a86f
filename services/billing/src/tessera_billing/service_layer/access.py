"""Who may see an organisation's products: its members, and its partner's staff within the access granted.

Outsiders get 404, never 403: they must not learn that the organisation or the product exists.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_kit.problems import NotFound


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
    uow: BillingUnitOfWork, caller_organisations: Collection[UUID], organisation_id: UUID, at: datetime
) -> ProductAccess:
    """The caller's reach into the organisation's products (inside an open unit of work); 404 for none."""
    if organisation_id in caller_organisations:
        return ProductAccess(organisation_id, member=True, all_products=True)
    codes: set[str] = set()
    for relationship in await uow.relationships.of_client_with(organisation_id, caller_organisations):
        if not relationship.is_active_on(at):
            continue
        if relationship.manages_every_product:
            return ProductAccess(organisation_id, member=False, all_products=True)
        codes.update(relationship.product_codes)
    if not codes:
        raise NotFound(f"organisation {organisation_id} not found")
    return ProductAccess(organisation_id, member=False, all_products=False, product_codes=frozenset(codes))


def require_member(caller_organisations: Collection[UUID], organisation_id: UUID) -> None:
    """404 unless the caller belongs to the organisation."""
    if organisation_id not in caller_organisations:
        raise NotFound(f"organisation {organisation_id} not found")
