"""identity's unit of work: one transaction, its repositories, and the events it causes."""

from tessera_identity.adapters.repository import (
    OrganisationRepository,
    SigningKeyRepository,
    UserRepository,
)
from tessera_kit.uow import UnitOfWork


class IdentityUnitOfWork(UnitOfWork):
    """A transaction on identity's database, with its repositories."""

    @property
    def organisations(self) -> OrganisationRepository:
        """Organisations and memberships in this transaction."""
        return OrganisationRepository(self.session)

    @property
    def users(self) -> UserRepository:
        """Accounts in this transaction."""
        return UserRepository(self.session)

    @property
    def signing_keys(self) -> SigningKeyRepository:
        """Token-signing keys in this transaction."""
        return SigningKeyRepository(self.session)
