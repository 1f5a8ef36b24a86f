"""Secrets identity hands out once and keeps only as hashes: API tokens, app passwords, backup codes.

They are generated with at least 75 bits of entropy, so a plain SHA-256 is enough to store them:
unlike a password, nobody can guess them from a dictionary. A slow hash would only slow sign-in.
"""

import hashlib
import secrets
import string
from collections.abc import Sequence

from cryptography.fernet import Fernet, MultiFernet

API_TOKEN_PREFIX = "tsr_"
_LETTERS = string.ascii_lowercase
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper without doubt


def secret_hash(secret: str) -> str:
    """The hex SHA-256 of a secret, as stored and looked up."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_api_token() -> str:
    """A new API token: a recognisable prefix and 256 random bits."""
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_app_password() -> str:
    """A new app password: four groups of four lower-case letters (75 bits), easy to type on a phone."""
    return "-".join("".join(secrets.choice(_LETTERS) for _ in range(4)) for _ in range(4))


def new_backup_code() -> str:
    """A single-use backup code: 16 characters from a 31-letter alphabet (79 bits), in four groups."""
    return "-".join("".join(secrets.choice(_CODE_ALPHABET) for _ in range(4)) for _ in range(4))


def normalise_code(code: str) -> str:
    """A typed code as generated: lower case, dashes and spaces as we print them."""
    compact = "".join(code.lower().split()).replace("-", "")
    return "-".join(compact[i : i + 4] for i in range(0, len(compact), 4))


class SecretBox:
    """Keeps secrets identity must read back (TOTP secrets, private signing keys) encrypted at rest
    with Fernet.

    The first key encrypts, every key decrypts, so keys rotate by putting a new one first. Without
    keys (development only: the settings refuse it elsewhere) secrets are stored as they are; a
    value stored encrypted is then refused, never guessed. A value stored before keys were
    configured is still read, and sealed when it is next written.
    """

    PREFIX = "fernet:"

    def __init__(self, keys: Sequence[str] = ()) -> None:
        self._fernet = MultiFernet([Fernet(key) for key in keys]) if keys else None

    @property
    def encrypts(self) -> bool:
        """Whether secrets are sealed (keys are configured)."""
        return self._fernet is not None

    def seal(self, secret: str | None) -> str | None:
        """What to store for ``secret``."""
        if secret is None or self._fernet is None:
            return secret
        return self.PREFIX + self._fernet.encrypt(secret.encode()).decode()

    def open(self, stored: str | None) -> str | None:
        """The secret behind a stored value."""
        if stored is None or not stored.startswith(self.PREFIX):
            return stored
        if self._fernet is None:
            raise RuntimeError("secrets are stored encrypted but IDENTITY_ENCRYPTION_KEYS is empty")
        return self._fernet.decrypt(stored.removeprefix(self.PREFIX).encode()).decode()
