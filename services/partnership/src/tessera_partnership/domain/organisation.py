"""What partnership knows of an organisation (a projection of identity's events)."""

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Organisation:
    """An organisation that can be a partner or a client."""

    id: UUID
    name: str
    kind: str
    country: str
