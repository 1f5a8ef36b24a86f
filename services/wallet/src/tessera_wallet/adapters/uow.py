"""wallet's unit of work: its repositories on one transaction."""

from uuid import UUID

from tessera_kit.clock import Clock
from tessera_kit.db import Database
from tessera_kit.uow import UnitOfWork
from tessera_wallet.adapters.projections import ProjectionRepository
from tessera_wallet.adapters.repository import ChargeRepository, RefusalRepository, WalletRepository
from tessera_wallet.domain.charges import PartnerCardLimits


class WalletUnitOfWork(UnitOfWork):
    """One transaction over wallet's tables and outbox."""

    def __init__(
        self,
        database: Database,
        *,
        source: str,
        clock: Clock | None = None,
        operator_organisation_id: UUID | None = None,
        partner_card_limits: PartnerCardLimits | None = None,
    ) -> None:
        super().__init__(database, source=source, clock=clock)
        self.operator_organisation_id = operator_organisation_id
        """Whose legal representatives and administrators are Tessera's operators (a setting)."""
        self.partner_card_limits = partner_card_limits or PartnerCardLimits()
        """How much a partner may charge to its client's card in top-ups (settings)."""

    @property
    def wallets(self) -> WalletRepository:
        """Wallets and their ledgers."""
        return WalletRepository(self.session)

    @property
    def charges(self) -> ChargeRepository:
        """Top-ups and automatic recharges."""
        return ChargeRepository(self.session)

    @property
    def refusals(self) -> RefusalRepository:
        """Refused usage."""
        return RefusalRepository(self.session)

    @property
    def projections(self) -> ProjectionRepository:
        """What other services told wallet."""
        return ProjectionRepository(self.session)
