"""Rotating the signing key without downtime: the next key is published before it signs, and the old
one keeps verifying the tokens it signed until they have expired."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import jwt
import pytest
from identity_harness import OPERATOR_ID, sign_in, sign_up
from sqlalchemy import text

import tessera_identity
from tessera_devtools.endpoints import Endpoints
from tessera_devtools.testing import (
    KafkaProbe,
    RunningService,
    TokenIssuer,
    eventually,
    migrated_database,
    running_service,
    unique_service_name,
)
from tessera_events.identity import SIGNING_KEYS, SigningKeyPublished
from tessera_identity.config import IdentitySettings
from tessera_identity.main import define, rotate_signing_key
from tessera_identity.service_layer.signing_keys import hand_over_if_due

pytestmark = pytest.mark.integration
Identity = RunningService[IdentitySettings]
MakeDatabase = Callable[..., Awaitable[str]]
MIGRATIONS = Path(tessera_identity.__file__).parent / "migrations"


@pytest.fixture
async def identity(infra: Endpoints, make_database: MakeDatabase) -> AsyncIterator[Identity]:
    """identity publishing the next key two seconds before it signs."""
    settings = IdentitySettings(
        database_url=await migrated_database(make_database, MIGRATIONS, "identity"),
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        service_name=unique_service_name("identity"),
        outbox_sweep_seconds=0.5,
        operator_user_ids=[OPERATOR_ID],
        signing_key_publish_ahead_seconds=2,
        environment="development",  # no encryption keys: development keeps secrets as they are
    )
    async with running_service(define, settings) as running:
        yield running


def key_id(token: str) -> str:
    kid: str = jwt.get_unverified_header(token)["kid"]
    return kid


async def test_a_rotated_key_is_published_ahead_and_tokens_signed_before_keep_working(
    identity: Identity, kafka_probe: KafkaProbe, suffix: str
) -> None:
    http = identity.http
    _, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    old_token = anna.token
    old_key = key_id(old_token)
    operator = TokenIssuer(identity.settings.database_url)
    await operator.trust()
    as_operator = operator.headers({}, OPERATOR_ID)

    refused = await http.post("/v1/operator/signing-keys/rotation", headers=anna.auth)
    rotation = await eventually(
        lambda: http.post("/v1/operator/signing-keys/rotation", headers=as_operator),
        until=lambda r: r.status_code == 202,
    )
    new_key = rotation.json()["key_id"]
    again = await http.post("/v1/operator/signing-keys/rotation", headers=as_operator)
    jwks_ahead = {k["kid"] for k in (await http.get("/.well-known/jwks.json")).json()["keys"]}
    signed_meanwhile = await sign_in(http, anna.email)
    await asyncio.sleep(2.1)
    handed_over = await hand_over_if_due(identity.runtime.unit_of_work(), identity.settings.rotation_policy)
    signed_after = await sign_in(http, anna.email)  # waits until identity trusts the new key too
    old_still_accepted = await http.get("/v1/me", headers={"authorization": f"Bearer {old_token}"})
    jwks_after = {k["kid"] for k in (await http.get("/.well-known/jwks.json")).json()["keys"]}

    assert refused.status_code == 403
    assert again.json()["key_id"] == new_key  # one rotation at a time
    assert {old_key, new_key} <= jwks_ahead
    assert key_id(signed_meanwhile) == old_key
    assert handed_over is not None
    assert handed_over.key_id == new_key
    assert key_id(signed_after) == new_key
    assert old_still_accepted.status_code == 200
    assert {old_key, new_key} <= jwks_after
    published = await kafka_probe.collect(
        SIGNING_KEYS.name, lambda e: e.subject in {old_key, new_key}, count=3
    )
    first, ahead, retired = (e.data for e in published)
    assert all(isinstance(e, SigningKeyPublished) for e in (first, ahead, retired))
    assert (first.key_id, first.expires_at) == (old_key, None)
    assert ahead.key_id == new_key
    assert ahead.not_before > first.not_before
    assert retired.key_id == old_key
    assert retired.expires_at is not None
    lifetime = identity.settings.access_token_lifetime_seconds + identity.settings.clock_skew_seconds
    assert abs((retired.expires_at - ahead.not_before).total_seconds() - lifetime) < 5


async def test_the_rotate_command_publishes_one_next_key_however_often_it_is_run(identity: Identity) -> None:
    first = await rotate_signing_key(identity.settings)
    second = await rotate_signing_key(identity.settings)

    async with identity.runtime.unit_of_work() as uow:
        pending = await uow.signing_keys.pending()
        outbox = await uow.session.scalar(
            text("SELECT count(*) FROM tessera_outbox WHERE event_type = :type"),
            {"type": SigningKeyPublished.EVENT_TYPE},
        )
    [key] = pending
    assert first == second
    assert first.startswith(f"key {key.key_id} published; it signs from ")
    assert outbox == 2  # the first key, and the next one once
