"""notify's unit of work: one transaction over the projection and the delivery log."""

from datetime import datetime, timedelta

from tessera_kit.clock import Clock
from tessera_kit.db import Database
from tessera_kit.uow import UnitOfWork
from tessera_notify.adapters.repository import (
    DeliveryRepository,
    InvoiceRepository,
    ParkedEventRepository,
    PreferenceRepository,
    RecipientRepository,
)
from tessera_notify.domain.notices import too_old_to_tell


class NotifyUnitOfWork(UnitOfWork):
    """The kit's unit of work with notify's repositories."""

    def __init__(self, database: Database, *, source: str, clock: Clock, notice_max_age: timedelta) -> None:
        super().__init__(database, source=source, clock=clock)
        self.notice_max_age = notice_max_age

    def too_old_to_tell(self, occurred_at: datetime) -> bool:
        """Whether an event is too old to e-mail anyone about (see domain.notices)."""
        return too_old_to_tell(occurred_at, self.clock.now(), self.notice_max_age)

    @property
    def recipients(self) -> RecipientRepository:
        """Organisations, users and memberships as identity described them."""
        return RecipientRepository(self.session)

    @property
    def preferences(self) -> PreferenceRepository:
        """Categories organisations and people switched off."""
        return PreferenceRepository(self.session)

    @property
    def invoices(self) -> InvoiceRepository:
        """Invoice numbers, as billing issued them."""
        return InvoiceRepository(self.session)

    @property
    def parked(self) -> ParkedEventRepository:
        """Events waiting for identity to tell notify of their recipients."""
        return ParkedEventRepository(self.session)

    @property
    def deliveries(self) -> DeliveryRepository:
        """The delivery log."""
        return DeliveryRepository(self.session)
