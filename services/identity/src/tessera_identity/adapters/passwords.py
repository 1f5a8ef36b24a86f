"""Password hashing with argon2id, off the event loop."""

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2Passwords:
    """Hashes and checks passwords with argon2id (RFC 9106 parameters by default)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        # Checking a password for an unknown address costs as much as for a known one, so the
        # response time does not tell which addresses have accounts.
        self._decoy = self._hasher.hash("no account has this password")

    async def hash(self, password: str) -> str:
        """The argon2id hash of a password."""
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether the password matches the hash; always False (at the same cost) without a hash."""
        try:
            matches = await asyncio.to_thread(self._hasher.verify, password_hash or self._decoy, password)
        except (VerificationError, InvalidHashError):
            return False
        return matches and password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with weaker parameters than the current ones."""
        return self._hasher.check_needs_rehash(password_hash)
