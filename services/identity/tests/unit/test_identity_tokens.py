"""Access tokens carry what every service needs to know about the caller, signed with EdDSA."""

import base64
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from tessera_identity.adapters.keys import generate_ed25519_key_pair, public_jwk
from tessera_identity.adapters.tokens import AccessGrant, sign_access_token
from tessera_identity.domain.model import Role
from tessera_identity.domain.signing_keys import KeyPair, SigningKey

NOW = datetime.now(UTC).replace(microsecond=0)


def key_made_in_this_test() -> tuple[SigningKey, Ed25519PrivateKey]:
    private = Ed25519PrivateKey.generate()
    pair = KeyPair(
        private_key_pem=private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode(),
        public_key_pem=private.public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        .decode(),
    )
    return SigningKey.create(pair, NOW), private


def grant(**overrides: object) -> AccessGrant:
    details: dict[str, object] = {
        "token_id": uuid4(),
        "user_id": uuid4(),
        "roles": {uuid4(): Role.LEGAL_REPRESENTATIVE, uuid4(): Role.MEMBER},
        "issued_at": NOW,
        "lifetime": timedelta(minutes=15),
        "issuer": "tessera-identity",
        "audience": "tessera",
    }
    details.update(overrides)
    return AccessGrant(**details)  # type: ignore[arg-type]


def test_a_token_names_the_caller_and_their_role_in_each_organisation() -> None:
    key, private = key_made_in_this_test()
    access = grant()

    token = sign_access_token(access, key)
    claims = jwt.decode(
        token, private.public_key(), algorithms=["EdDSA"], audience="tessera", issuer="tessera-identity"
    )

    assert claims["sub"] == str(access.user_id)
    assert claims["orgs"] == {str(org): role.value for org, role in access.roles.items()}
    assert claims["iss"] == "tessera-identity"
    assert claims["aud"] == "tessera"
    assert claims["jti"] == str(access.token_id)
    assert claims["iat"] == int(NOW.timestamp())
    assert claims["exp"] - claims["iat"] == 15 * 60


def test_a_token_is_issued_at_a_millisecond_and_never_lives_longer_than_its_lifetime() -> None:
    key, private = key_made_in_this_test()
    issued_at = NOW.replace(microsecond=123_987)

    token = sign_access_token(grant(issued_at=issued_at, lifetime=timedelta(seconds=600)), key)

    claims = jwt.decode(token, private.public_key(), algorithms=["EdDSA"], audience="tessera")
    assert datetime.fromtimestamp(claims["iat"], UTC) == NOW.replace(microsecond=123_000)
    assert claims["exp"] == int(NOW.timestamp()) + 600
    assert 599 < claims["exp"] - claims["iat"] <= 600


def test_a_token_names_the_key_that_signed_it() -> None:
    key, _ = key_made_in_this_test()

    header = jwt.get_unverified_header(sign_access_token(grant(), key))

    assert header["kid"] == key.key_id
    assert header["alg"] == "EdDSA"


def test_a_token_from_another_key_does_not_verify() -> None:
    key, _ = key_made_in_this_test()
    _, stranger = key_made_in_this_test()

    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            sign_access_token(grant(), key), stranger.public_key(), algorithms=["EdDSA"], audience="tessera"
        )


def test_a_token_for_a_person_without_organisations_has_an_empty_orgs_claim() -> None:
    key, private = key_made_in_this_test()

    token = sign_access_token(grant(roles={}), key)

    claims = jwt.decode(token, private.public_key(), algorithms=["EdDSA"], audience="tessera")
    assert claims["orgs"] == {}


def test_the_published_jwk_is_the_public_half_of_the_key() -> None:
    key, private = key_made_in_this_test()

    jwk = public_jwk(key)

    raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert jwk == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode(),
        "kid": key.key_id,
        "use": "sig",
        "alg": "EdDSA",
    }
    token = sign_access_token(grant(), key)
    assert jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["EdDSA"], audience="tessera")


def test_generated_key_pairs_sign_tokens_their_public_half_verifies() -> None:
    key = SigningKey.create(generate_ed25519_key_pair(), NOW)

    token = sign_access_token(grant(), key)

    assert jwt.decode(token, key.key_pair.public_key_pem, algorithms=["EdDSA"], audience="tessera")
