"""App passwords: generated passwords for mail, calendar and contacts clients, which work with 2FA on."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from tessera_identity.domain.errors import IdentityRuleBroken


class InvalidAppPassword(IdentityRuleBroken):
    """An app password's details break a rule."""


@dataclass(frozen=True)
class AppPassword:
    """A named app password; its secret is never kept, only its hash."""

    id: UUID
    user_id: UUID
    name: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @classmethod
    def create(cls, user_id: UUID, name: str, at: datetime) -> "AppPassword":
        """A new app password named after the device or program that will use it."""
        cleaned = " ".join(name.split())
        if not cleaned or len(cleaned) > 100:
            raise InvalidAppPassword("an app password's name has 1 to 100 characters")
        return cls(uuid4(), user_id, cleaned, at)
