"""What partnership knows of organisations and their people (a projection of identity's events)."""

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Organisation:
    """An organisation that can be a partner, a client, or both."""

    id: UUID
    name: str
    kind: str
    country: str
    registry_number: str | None = None
