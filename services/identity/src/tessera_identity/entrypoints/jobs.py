"""Work identity does on its own as it starts."""

import structlog

from tessera_identity.adapters.keys import generate_ed25519_key_pair
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.service_layer.signing_keys import ensure_signing_key
from tessera_kit.service import Runtime

log = structlog.get_logger(__name__)


async def publish_signing_key(runtime: Runtime[IdentityUnitOfWork]) -> None:
    """Make sure a key signs tokens, making and publishing one on first start."""
    key = await ensure_signing_key(runtime.unit_of_work(), generate_ed25519_key_pair)
    log.info("signing key ready", key_id=key.key_id, not_before=key.not_before.isoformat())
