"""The foundation story on real PostgreSQL and Kafka: sign an organisation up, hear about it, sign in."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

import tessera_identity
from tessera_devtools.endpoints import Endpoints
from tessera_devtools.testing import (
    KafkaProbe,
    RunningService,
    eventually,
    migrated_database,
    running_service,
    unique_service_name,
)
from tessera_events.identity import (
    ORGANISATIONS,
    SIGNING_KEYS,
    USERS,
    MembershipGranted,
    OrganisationRegistered,
    SigningKeyPublished,
    UserRegistered,
)
from tessera_identity.adapters.keys import generate_ed25519_key_pair
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.config import IdentitySettings
from tessera_identity.main import define
from tessera_identity.service_layer.signing_keys import ensure_signing_key
from tessera_kit.db import Database
from tessera_kit.uow import UnitOfWork

pytestmark = pytest.mark.integration

MakeDatabase = Callable[..., Awaitable[str]]
MIGRATIONS = Path(tessera_identity.__file__).parent / "migrations"

SIGN_UP: dict[str, Any] = {
    "name": "Meier Hosting GmbH",
    "kind": "company",
    "country": "ch",
    "locale": "de",
    "billing_email": "billing@meier.example",
    "legal_representative": {
        "email": "Anna.Meier@meier.example",
        "display_name": "Anna Meier",
        "password": "correct horse battery",
    },
}


def sign_up(**representative: str) -> dict[str, Any]:
    """The sign-up above with some of the legal representative's details changed."""
    return {**SIGN_UP, "legal_representative": {**SIGN_UP["legal_representative"], **representative}}


@pytest.fixture
async def identity(
    infra: Endpoints, make_database: MakeDatabase
) -> AsyncIterator[RunningService[IdentitySettings]]:
    """identity on a fresh database, in a consumer group of its own, started as uvicorn would start it."""
    settings = IdentitySettings(
        database_url=await migrated_database(make_database, MIGRATIONS, "identity"),
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        service_name=unique_service_name("identity"),
        outbox_sweep_seconds=0.5,
        encryption_keys=[Fernet.generate_key().decode()],
    )
    async with running_service(define, settings) as running:
        yield running


@pytest.fixture
def kafka(infra: Endpoints) -> KafkaProbe:
    """Reads what identity published."""
    return KafkaProbe(infra.kafka_bootstrap)


def answered(status: int) -> Callable[[httpx.Response], bool]:
    """A check, for :func:`eventually`, that a response has ``status`` (what travels through Kafka takes
    a moment)."""
    return lambda response: response.status_code == status


async def test_a_signed_up_organisation_is_announced_and_its_representative_signs_in(
    identity: RunningService[IdentitySettings], kafka: KafkaProbe
) -> None:
    http = identity.http
    assert (await eventually(lambda: http.get("/readyz"), until=answered(200))).status_code == 200

    created = await http.post("/v1/organisations", json=SIGN_UP)

    assert created.status_code == 201, created.text
    organisation_id, user_id = created.json()["organisation_id"], created.json()["user_id"]
    announced = await kafka.collect(
        [ORGANISATIONS.name, USERS.name], lambda event: event.subject in {organisation_id, user_id}, count=3
    )
    by_type = {type(event.data): event for event in announced}
    assert set(by_type) == {OrganisationRegistered, UserRegistered, MembershipGranted}
    assert by_type[OrganisationRegistered].data == OrganisationRegistered(
        organisation_id=organisation_id,
        name="Meier Hosting GmbH",
        kind="company",
        country="CH",
        locale="de",
        billing_email="billing@meier.example",
        registered_at=by_type[OrganisationRegistered].data.registered_at,
    )
    assert by_type[UserRegistered].data.email == "anna.meier@meier.example"
    assert by_type[MembershipGranted].data.role == "legal_representative"

    session = await eventually(
        lambda: http.post(
            "/v1/sessions", json={"email": "anna.meier@MEIER.example", "password": "correct horse battery"}
        ),
        until=answered(200),
    )
    assert session.status_code == 200, session.text
    assert session.json()["token_type"] == "Bearer"
    assert session.json()["expires_in"] == 300
    token = session.json()["access_token"]

    key_id = jwt.get_unverified_header(token)["kid"]
    published = await kafka.first(SIGNING_KEYS.name, lambda event: event.subject == key_id)
    assert isinstance(published.data, SigningKeyPublished)
    claims = jwt.decode(
        token,
        published.data.public_key_pem,
        algorithms=["EdDSA"],
        audience="tessera",
        issuer="tessera-identity",
    )
    assert claims["sub"] == user_id
    assert claims["orgs"] == {organisation_id: "legal_representative"}
    assert 299 < claims["exp"] - claims["iat"] <= 300

    jwks = (await http.get("/.well-known/jwks.json")).json()
    [jwk] = [key for key in jwks["keys"] if key["kid"] == key_id]
    assert (jwk["kty"], jwk["crv"], jwk["use"], jwk["alg"]) == ("OKP", "Ed25519", "sig", "EdDSA")
    assert jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["EdDSA"], audience="tessera")["sub"] == user_id

    me = await eventually(
        lambda: http.get("/v1/me", headers={"authorization": f"Bearer {token}"}), until=answered(200)
    )
    assert me.status_code == 200, me.text
    assert me.json() == {
        "user_id": user_id,
        "email": "anna.meier@meier.example",
        "display_name": "Anna Meier",
        "locale": "de",
        "memberships": [
            {"organisation_id": organisation_id, "name": "Meier Hosting GmbH", "role": "legal_representative"}
        ],
        "two_factor_enabled": False,
    }


async def test_sign_up_and_sign_in_refuse_what_they_must_as_problems(
    identity: RunningService[IdentitySettings],
) -> None:
    http = identity.http
    assert (await http.post("/v1/organisations", json=SIGN_UP)).status_code == 201

    taken = await http.post("/v1/organisations", json=sign_up(email="ANNA.MEIER@meier.example"))
    unknown_country = await http.post("/v1/organisations", json={**SIGN_UP, "country": "XX"})
    short_password = await http.post("/v1/organisations", json=sign_up(password="short"))
    wrong_password = await http.post(
        "/v1/sessions", json={"email": "anna.meier@meier.example", "password": "incorrect horse"}
    )
    unknown_email = await http.post(
        "/v1/sessions", json={"email": "nobody@meier.example", "password": "correct horse battery"}
    )
    no_token = await http.get("/v1/me")

    assert [r.status_code for r in (taken, unknown_country, short_password)] == [409, 422, 422]
    assert [r.status_code for r in (wrong_password, unknown_email, no_token)] == [401, 401, 401]
    for response in (taken, unknown_country, short_password, wrong_password, unknown_email, no_token):
        assert response.headers["content-type"] == "application/problem+json"
    assert wrong_password.json()["detail"] == unknown_email.json()["detail"]


async def test_two_sign_ups_racing_for_one_address_create_one_account(
    identity: RunningService[IdentitySettings],
) -> None:
    racing = sign_up(email="bruno@race.example")

    responses = await asyncio.gather(
        *(identity.http.post("/v1/organisations", json=racing) for _ in range(3))
    )

    assert sorted(r.status_code for r in responses) == [201, 409, 409]


async def test_replicas_starting_together_make_one_signing_key(make_database: MakeDatabase) -> None:
    database = Database(await migrated_database(make_database, MIGRATIONS, "identity"))
    try:

        def replica() -> IdentityUnitOfWork:
            return IdentityUnitOfWork(database, source="/tessera/identity")

        keys = await asyncio.gather(
            *(ensure_signing_key(replica(), generate_ed25519_key_pair) for _ in range(4))
        )

        assert len({key.key_id for key in keys}) == 1
        async with UnitOfWork(database, source="/tessera/identity") as uow:
            stored = await uow.session.scalar(text("SELECT count(*) FROM signing_keys"))
            announced = await uow.session.scalar(
                text("SELECT count(*) FROM tessera_outbox WHERE event_type = :type"),
                {"type": SigningKeyPublished.EVENT_TYPE},
            )
        assert (stored, announced) == (1, 1)
    finally:
        await database.dispose()
