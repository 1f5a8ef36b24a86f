"""identity's signing keys: make one when there is none, publish the public halves, and rotate
without downtime (publish the next key ahead, hand over, keep the old one until its tokens expire)."""

from datetime import datetime

from tessera_events.identity import SigningKeyPublished
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.domain.signing_keys import RotationPolicy, SigningKey, next_rotation_step_at
from tessera_identity.service_layer.ports import KeyPairFactory


async def ensure_signing_key(uow: IdentityUnitOfWork, make_key_pair: KeyPairFactory) -> SigningKey:
    """The key to sign with, made and published through the outbox if there is none.

    Replicas starting together take turns under an advisory lock, so only the first makes a key.
    Keys stored in plain text before encryption keys were configured are sealed on the way.
    """
    async with uow:
        await uow.signing_keys.lock()
        await uow.signing_keys.seal_stored()
        now = uow.clock.now()
        active = await uow.signing_keys.active()
        # A key whose not_before is a moment ahead of this replica's clock is still the key.
        current = [key for key in active if key.verifies_at(now)]
        if current:
            await uow.commit()
            return current[0]
        for expired in active:
            await uow.signing_keys.retire(expired.key_id)
        key = SigningKey.create(make_key_pair(), now)
        await uow.signing_keys.add(key)
        uow.emit(_published(key))
        await uow.commit()
    return key


async def publish_next_key(
    uow: IdentityUnitOfWork, make_key_pair: KeyPairFactory, policy: RotationPolicy
) -> SigningKey:
    """Start a rotation: publish the next key, which signs only after ``policy.publish_ahead``.

    Idempotent: while a published key waits for its turn, that key is returned.
    """
    async with uow:
        await uow.signing_keys.lock()
        pending = await uow.signing_keys.pending()
        if pending:
            return pending[0]
        key = SigningKey.next(make_key_pair(), uow.clock.now() + policy.publish_ahead)
        await uow.signing_keys.add(key)
        uow.emit(_published(key))
        await uow.commit()
    return key


async def hand_over_if_due(uow: IdentityUnitOfWork, policy: RotationPolicy) -> SigningKey | None:
    """Let the published next key sign once its time has come; the old key is republished with the
    expiry after which its tokens are refused. The key now signing, or None if nothing was due."""
    async with uow:
        await uow.signing_keys.lock()
        now = uow.clock.now()
        due = [key for key in await uow.signing_keys.pending() if key.not_before <= now]
        active = await uow.signing_keys.active()
        if not due or not active:
            return None
        new, old = due[0], active[0].retiring(now, policy.grace)
        await uow.signing_keys.hand_over(old, new)
        uow.emit(_published(old))
        await uow.commit()
    return new


async def rotate_when_due(
    uow: IdentityUnitOfWork, make_key_pair: KeyPairFactory, policy: RotationPolicy
) -> datetime | None:
    """Do the rotation step that is due, if any; when the next one is (None without an active key)."""
    await hand_over_if_due(uow, policy)
    async with uow:
        active = await uow.signing_keys.active()
        pending = await uow.signing_keys.pending()
        now = uow.clock.now()
    if not active:
        return None
    due = next_rotation_step_at(active[0], pending[0] if pending else None, policy)
    if due <= now and not pending:
        key = await publish_next_key(uow, make_key_pair, policy)
        return key.not_before
    return due


async def published_keys(uow: IdentityUnitOfWork) -> list[SigningKey]:
    """Every key whose tokens are still trusted now, newest first, including one published ahead."""
    async with uow:
        return await uow.signing_keys.verifying_at(uow.clock.now())


def _published(key: SigningKey) -> SigningKeyPublished:
    return SigningKeyPublished(
        key_id=key.key_id,
        algorithm=key.algorithm,
        public_key_pem=key.key_pair.public_key_pem,
        not_before=key.not_before,
        expires_at=key.expires_at,
    )
