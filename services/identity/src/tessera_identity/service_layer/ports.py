"""What the use cases need from the outside world, as protocols a test can fake."""

from collections.abc import Callable
from typing import Protocol

from tessera_identity.domain.signing_keys import KeyPair

KeyPairFactory = Callable[[], KeyPair]


class Passwords(Protocol):
    """Hashes passwords and checks them against stored hashes."""

    async def hash(self, password: str) -> str:
        """The hash to store for a password."""
        ...

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether the password matches; False without a hash, at the same cost as with one."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash should be replaced by one with today's parameters."""
        ...
