"""Billing's unit of work: one transaction, its repositories, and the events it emits."""

from typing import Self, TypeVar

from tessera_billing.adapters.repository import (
    CatalogueRepository,
    RelationshipRepository,
    SubscriptionRepository,
)
from tessera_kit.uow import UnitOfWork

RepositoryT = TypeVar("RepositoryT")


class BillingUnitOfWork(UnitOfWork):
    """A billing transaction with its repositories.

    The repositories are made once per transaction: they remember the rows they loaded, so that
    saving an aggregate updates its row instead of inserting another.
    """

    _catalogue: CatalogueRepository
    _relationships: RelationshipRepository
    _subscriptions: SubscriptionRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self._catalogue = CatalogueRepository(self.session)
        self._relationships = RelationshipRepository(self.session)
        self._subscriptions = SubscriptionRepository(self.session)
        return self

    @property
    def catalogue(self) -> CatalogueRepository:
        """The products billing sells."""
        return self._while_open(self._catalogue)

    @property
    def relationships(self) -> RelationshipRepository:
        """The projection of partnership's relationships."""
        return self._while_open(self._relationships)

    @property
    def subscriptions(self) -> SubscriptionRepository:
        """Subscriptions and who pays them."""
        return self._while_open(self._subscriptions)

    def _while_open(self, repository: RepositoryT) -> RepositoryT:
        # A closed session would quietly begin a new transaction: refuse outside ``async with``.
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use 'async with uow'")
        return repository
