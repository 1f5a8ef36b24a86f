"""Partnership's unit of work: its repositories on one transaction."""

from tessera_kit.uow import UnitOfWork
from tessera_partnership.adapters.repository import OrganisationRepository, RelationshipRepository


class PartnershipUnitOfWork(UnitOfWork):
    """One transaction over partnership's tables and outbox."""

    @property
    def organisations(self) -> OrganisationRepository:
        """Organisations projected from identity."""
        return OrganisationRepository(self.session)

    @property
    def relationships(self) -> RelationshipRepository:
        """Partner-client relationships."""
        return RelationshipRepository(self.session)
