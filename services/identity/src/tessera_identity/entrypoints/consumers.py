"""The events identity reacts to.

None of its own yet: identity consumes only its SigningKeyPublished events, which the kit's
trusted-key handler applies in every service, so its own tokens verify like anyone else's.
"""

from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_kit.consumers import EventHandlers

handlers = EventHandlers[IdentityUnitOfWork]()
