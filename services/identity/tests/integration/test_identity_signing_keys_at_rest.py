"""identity's private signing keys are stored encrypted, like TOTP secrets; one stored in plain text
before encryption keys were configured is sealed when identity next starts."""

from datetime import UTC, datetime

import pytest
from identity_harness import sign_up
from sqlalchemy import text

from tessera_devtools.testing import RunningService
from tessera_identity.adapters.keys import generate_ed25519_key_pair
from tessera_identity.config import IdentitySettings
from tessera_identity.service_layer.signing_keys import ensure_signing_key

pytestmark = pytest.mark.integration
Identity = RunningService[IdentitySettings]


async def stored_private_keys(identity: Identity) -> dict[str, str]:
    async with identity.runtime.unit_of_work() as uow:
        rows = await uow.session.execute(text("SELECT key_id, private_key_pem FROM signing_keys"))
        return {row.key_id: row.private_key_pem for row in rows}


async def test_private_signing_keys_are_never_stored_in_plain_text(
    identity_with_operator: Identity, suffix: str
) -> None:
    http = identity_with_operator.http
    await sign_up(http, f"anna-{suffix}@meier.example")  # signs in: the key signs and verifies
    legacy = generate_ed25519_key_pair()
    async with identity_with_operator.runtime.unit_of_work() as uow:
        await uow.session.execute(
            text(
                "INSERT INTO signing_keys (key_id, algorithm, public_key_pem, private_key_pem, not_before, "
                "expires_at, active) VALUES ('legacy', 'EdDSA', :public, :private, :at, :at, false)"
            ),
            {
                "public": legacy.public_key_pem,
                "private": legacy.private_key_pem,
                "at": datetime(2026, 1, 1, tzinfo=UTC),
            },
        )
        await uow.commit()

    await ensure_signing_key(identity_with_operator.runtime.unit_of_work(), generate_ed25519_key_pair)

    stored = await stored_private_keys(identity_with_operator)
    assert len(stored) == 2
    assert all(pem.startswith("fernet:") and "PRIVATE KEY" not in pem for pem in stored.values())
    async with identity_with_operator.runtime.unit_of_work() as uow:
        [key] = [
            k
            for k in await uow.signing_keys.verifying_at(datetime(2025, 12, 31, tzinfo=UTC))
            if k.key_id == "legacy"
        ]
    assert key.key_pair.private_key_pem == legacy.private_key_pem
