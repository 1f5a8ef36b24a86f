"""notify's unit of work: one transaction over the projection and the delivery log."""

from tessera_kit.uow import UnitOfWork
from tessera_notify.adapters.repository import DeliveryRepository, RecipientRepository


class NotifyUnitOfWork(UnitOfWork):
    """The kit's unit of work with notify's repositories."""

    @property
    def recipients(self) -> RecipientRepository:
        """Organisations, users and memberships as identity described them."""
        return RecipientRepository(self.session)

    @property
    def deliveries(self) -> DeliveryRepository:
        """The delivery log."""
        return DeliveryRepository(self.session)
