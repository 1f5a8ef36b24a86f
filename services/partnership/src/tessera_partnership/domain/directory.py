"""The public directory of partners who chose to be listed."""

import re
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tessera_partnership.domain.errors import InvalidListing
from tessera_partnership.domain.programme import website_problem

LANGUAGES = frozenset({"en", "de", "fr", "it", "es"})
SPECIALTY = re.compile(r"^[a-z0-9][a-z0-9 +&/.-]{0,39}$")
MAX_SPECIALTIES = 12


@dataclass(frozen=True)
class Listing:
    """How a partner presents itself in the directory, and whether it wants clients' offer requests."""

    organisation_id: UUID
    name: str
    website_url: str
    country: str
    languages: tuple[str, ...]
    specialties: tuple[str, ...]
    description: str
    accepts_offer_requests: bool
    listed_at: datetime

    @classmethod
    def of(
        cls,
        *,
        organisation_id: UUID,
        name: str,
        website_url: str,
        country: str,
        languages: list[str],
        specialties: list[str],
        description: str,
        accepts_offer_requests: bool,
        now: datetime,
    ) -> "Listing":
        """A valid listing (languages Tessera speaks, short lower-case specialties, a public website)."""
        problem = website_problem(website_url)
        if problem is not None:
            raise InvalidListing(problem)
        spoken = tuple(sorted({language.lower() for language in languages}))
        if not spoken or not set(spoken) <= LANGUAGES:
            raise InvalidListing(f"list at least one language among {', '.join(sorted(LANGUAGES))}")
        skills = tuple(sorted({" ".join(s.lower().split()) for s in specialties}))
        if len(skills) > MAX_SPECIALTIES or not all(SPECIALTY.match(s) for s in skills):
            raise InvalidListing(f"up to {MAX_SPECIALTIES} specialties of at most 40 characters each")
        if len(description) > 2000:
            raise InvalidListing("the description is at most 2000 characters")
        return cls(
            organisation_id=organisation_id,
            name=name,
            website_url=website_url.strip(),
            country=country.upper(),
            languages=spoken,
            specialties=skills,
            description=description.strip(),
            accepts_offer_requests=accepts_offer_requests,
            listed_at=now,
        )


@dataclass(frozen=True)
class DirectoryQuery:
    """A visitor's search: free text on name and description, and filters."""

    text: str | None = None
    country: str | None = None
    language: str | None = None
    specialty: str | None = None
    limit: int = 50
    offset: int = 0
