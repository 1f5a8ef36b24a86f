"""identity's unit of work: one transaction, its repositories, and the events it causes."""

from tessera_identity.adapters.attempts import AttemptRepository
from tessera_identity.adapters.credentials import (
    ApiTokenRepository,
    AppPasswordRepository,
    TwoFactorRepository,
)
from tessera_identity.adapters.repository import (
    OrganisationRepository,
    SigningKeyRepository,
    UserRepository,
)
from tessera_identity.adapters.secrets import SecretBox
from tessera_kit.clock import Clock
from tessera_kit.db import Database
from tessera_kit.uow import UnitOfWork


class IdentityUnitOfWork(UnitOfWork):
    """A transaction on identity's database, with its repositories."""

    def __init__(
        self, database: Database, *, source: str, clock: Clock | None = None, box: SecretBox | None = None
    ) -> None:
        super().__init__(database, source=source, clock=clock)
        self._box = box or SecretBox()

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
        return SigningKeyRepository(self.session, self._box)

    @property
    def two_factor(self) -> TwoFactorRepository:
        """2FA secrets, backup codes and recovery requests in this transaction."""
        return TwoFactorRepository(self.session, self._box)

    @property
    def app_passwords(self) -> AppPasswordRepository:
        """App passwords in this transaction."""
        return AppPasswordRepository(self.session)

    @property
    def api_tokens(self) -> ApiTokenRepository:
        """API tokens in this transaction."""
        return ApiTokenRepository(self.session)

    @property
    def attempts(self) -> AttemptRepository:
        """Failed sign-in counters in this transaction."""
        return AttemptRepository(self.session)
