"""Events notify reacts to: identity's (the recipients projection, security notices), and every
event a person must hear about from partnership, billing and wallet.

Handlers run inside the kit's transaction, which also records the inbox row; they never commit.
They map a contract event to a use case; the use cases find the recipients and record the e-mails.
An event naming an organisation or person notify does not know yet is parked, and applied when
identity's event about them arrives (``service_layer/parking.py``).
"""

from tessera_kit.consumers import EventHandlers
from tessera_notify.adapters.links import OfferLinks
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.entrypoints.consumers import billing, identity, partnership, wallet
from tessera_notify.entrypoints.consumers.parking import Parking


def notify_handlers(links: OfferLinks) -> EventHandlers[NotifyUnitOfWork]:
    """Every handler of notify; ``links`` signs the cancel links of offer-request e-mails."""
    parking = Parking()
    for handlers in (
        identity.handlers,
        partnership.handlers_signing_with(links),
        billing.handlers,
        wallet.handlers,
    ):
        for event_class, handler in handlers.entries:
            parking.register(event_class, handler, identity.ARRIVALS.get(event_class))
        for event_class, batch_handler in handlers.batch_entries:
            parking.register_batch(event_class, batch_handler, identity.ARRIVALS[event_class])
    return parking.handlers
