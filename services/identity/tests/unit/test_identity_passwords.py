"""Passwords are stored as argon2id hashes and checked off the event loop."""

from argon2 import PasswordHasher

from tessera_identity.adapters.passwords import Argon2Passwords

# Cheap parameters keep the test fast; production uses argon2-cffi's RFC 9106 defaults.
passwords = Argon2Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


async def test_a_stored_password_is_an_argon2id_hash_that_only_the_password_matches() -> None:
    stored = await passwords.hash("correct horse battery")

    assert stored.startswith("$argon2id$")
    assert "correct horse battery" not in stored
    assert await passwords.verify(stored, "correct horse battery")
    assert not await passwords.verify(stored, "correct horse")


async def test_checking_a_password_without_an_account_fails_even_for_the_decoy_password() -> None:
    assert not await passwords.verify(None, "no account has this password")


async def test_a_garbled_hash_matches_nothing() -> None:
    assert not await passwords.verify("not-a-hash", "correct horse battery")


async def test_a_hash_made_with_weaker_parameters_asks_to_be_replaced() -> None:
    weak = await passwords.hash("correct horse battery")

    assert Argon2Passwords().needs_rehash(weak)
    assert not passwords.needs_rehash(weak)
