"""identity's signing keys: make one when there is none, and publish the public halves."""

from tessera_events.identity import SigningKeyPublished
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.domain.signing_keys import SigningKey
from tessera_identity.service_layer.ports import KeyPairFactory


async def ensure_signing_key(uow: IdentityUnitOfWork, make_key_pair: KeyPairFactory) -> SigningKey:
    """The key to sign with, made and published through the outbox if there is none.

    Replicas starting together take turns under an advisory lock, so only the first makes a key.
    """
    async with uow:
        await uow.signing_keys.lock()
        now = uow.clock.now()
        active = await uow.signing_keys.active()
        # A key whose not_before is a moment ahead of this replica's clock is still the key.
        current = [key for key in active if key.verifies_at(now)]
        if current:
            return current[0]
        for expired in active:
            await uow.signing_keys.retire(expired.key_id)
        key = SigningKey.create(make_key_pair(), now)
        await uow.signing_keys.add(key)
        uow.emit(
            SigningKeyPublished(
                key_id=key.key_id,
                algorithm=key.algorithm,
                public_key_pem=key.key_pair.public_key_pem,
                not_before=key.not_before,
                expires_at=key.expires_at,
            )
        )
        await uow.commit()
    return key


async def published_keys(uow: IdentityUnitOfWork) -> list[SigningKey]:
    """Every key whose tokens are still trusted now, newest first."""
    async with uow:
        return await uow.signing_keys.verifying_at(uow.clock.now())
