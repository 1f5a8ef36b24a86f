"""Which key signs, which keys verify."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tessera_identity.domain.signing_keys import KeyPair, SigningKey, signing_key_at

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
PAIR = KeyPair(private_key_pem="-----PRIVATE-----", public_key_pem="-----PUBLIC-----")


def test_a_new_key_signs_from_now_on_and_never_expires() -> None:
    key = SigningKey.create(PAIR, NOW)

    assert key.active
    assert key.algorithm == "EdDSA"
    assert key.signs_at(NOW)
    assert not key.signs_at(NOW - timedelta(seconds=1))
    assert key.verifies_at(NOW + timedelta(days=3650))


def test_every_key_gets_its_own_url_safe_id() -> None:
    ids = {SigningKey.create(PAIR, NOW).key_id for _ in range(50)}

    assert len(ids) == 50
    assert all(key_id.replace("-", "").replace("_", "").isalnum() for key_id in ids)


def test_the_newest_active_key_signs() -> None:
    older = SigningKey.create(PAIR, NOW - timedelta(days=30))
    newer = SigningKey.create(PAIR, NOW - timedelta(days=1))
    not_yet = SigningKey.create(PAIR, NOW + timedelta(hours=1))

    assert signing_key_at([older, newer, not_yet], NOW) == newer


def test_a_retired_key_still_verifies_but_no_longer_signs() -> None:
    retired = replace(SigningKey.create(PAIR, NOW), active=False, expires_at=NOW + timedelta(hours=1))

    assert signing_key_at([retired], NOW) is None
    assert retired.verifies_at(NOW)
    assert not retired.verifies_at(NOW + timedelta(hours=1))


def test_a_private_key_never_shows_in_a_repr() -> None:
    assert "PRIVATE" not in repr(SigningKey.create(PAIR, NOW))
