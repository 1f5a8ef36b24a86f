"""Billing's unit of work: one transaction, its repositories, and the events it emits."""

from typing import Self, TypeVar

from tessera_billing.adapters.invoice_repository import InvoiceRepository, PartyRepository
from tessera_billing.adapters.ledger_repository import CashbackRepository, HistoryRepository, TagRepository
from tessera_billing.adapters.repository import (
    CatalogueRepository,
    RelationshipRepository,
    SubscriptionRepository,
)
from tessera_billing.domain.partner_limits import PartnerOrderLimits
from tessera_billing.service_layer.ports import AwaitingPayment, PaymentRequests
from tessera_kit.clock import Clock
from tessera_kit.db import Database
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
    _invoices: InvoiceRepository
    _parties: PartyRepository
    _cashback: CashbackRepository
    _history: HistoryRepository
    _tags: TagRepository

    def __init__(
        self,
        database: Database,
        *,
        source: str,
        clock: Clock | None = None,
        payments: PaymentRequests | None = None,
        partner_order_limits: PartnerOrderLimits | None = None,
    ) -> None:
        super().__init__(database, source=source, clock=clock)
        self.payments: PaymentRequests = payments or AwaitingPayment()
        self.partner_order_limits = partner_order_limits or PartnerOrderLimits()

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self._catalogue = CatalogueRepository(self.session)
        self._relationships = RelationshipRepository(self.session)
        self._subscriptions = SubscriptionRepository(self.session)
        self._invoices = InvoiceRepository(self.session)
        self._parties = PartyRepository(self.session)
        self._cashback = CashbackRepository(self.session)
        self._history = HistoryRepository(self.session)
        self._tags = TagRepository(self.session)
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

    @property
    def invoices(self) -> InvoiceRepository:
        """Invoices and their numbering."""
        return self._while_open(self._invoices)

    @property
    def parties(self) -> PartyRepository:
        """Organisations' tax profiles and partners' terms (projections)."""
        return self._while_open(self._parties)

    @property
    def cashback(self) -> CashbackRepository:
        """Partners' cashback ledgers."""
        return self._while_open(self._cashback)

    @property
    def history(self) -> HistoryRepository:
        """Organisations' billing histories."""
        return self._while_open(self._history)

    @property
    def tags(self) -> TagRepository:
        """Product tags."""
        return self._while_open(self._tags)

    def _while_open(self, repository: RepositoryT) -> RepositoryT:
        # A closed session would quietly begin a new transaction: refuse outside ``async with``.
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use 'async with uow'")
        return repository
