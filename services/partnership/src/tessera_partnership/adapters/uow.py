"""Partnership's unit of work: its repositories on one transaction."""

from tessera_kit.uow import UnitOfWork
from tessera_partnership.adapters.market_repository import DirectoryRepository, OfferRequestRepository
from tessera_partnership.adapters.programme_repository import ProgrammeRepository
from tessera_partnership.adapters.repository import OrganisationRepository, RelationshipRepository


class PartnershipUnitOfWork(UnitOfWork):
    """One transaction over partnership's tables and outbox."""

    @property
    def organisations(self) -> OrganisationRepository:
        """Organisations and memberships projected from identity."""
        return OrganisationRepository(self.session)

    @property
    def relationships(self) -> RelationshipRepository:
        """Partner-client relationships."""
        return RelationshipRepository(self.session)

    @property
    def programme(self) -> ProgrammeRepository:
        """Partners, affiliates, managed volume and cashback."""
        return ProgrammeRepository(self.session)

    @property
    def directory(self) -> DirectoryRepository:
        """The public directory of partners."""
        return DirectoryRepository(self.session)

    @property
    def offer_requests(self) -> OfferRequestRepository:
        """Clients' offer requests."""
        return OfferRequestRepository(self.session)
