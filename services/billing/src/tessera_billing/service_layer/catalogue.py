"""Use cases on the catalogue."""

from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.domain.catalogue import Product


async def list_catalogue(uow: BillingUnitOfWork) -> list[Product]:
    """Every product with its public prices."""
    async with uow:
        return await uow.catalogue.list()
