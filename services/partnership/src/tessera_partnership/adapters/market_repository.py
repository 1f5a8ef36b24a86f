"""Queries on the directory and on offer requests."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tessera_partnership.adapters.orm import ListingRow, OfferRequestOpeningRow, OfferRequestRow, PartnerRow
from tessera_partnership.domain.directory import DirectoryQuery, Listing
from tessera_partnership.domain.offer_request import Contact, OfferRequest, OfferRequestStatus, Opening
from tessera_partnership.domain.programme import PartnerStatus


class DirectoryRepository:
    """Partners' directory listings."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def save(self, listing: Listing) -> None:
        """Create or replace a partner's listing."""
        values = {
            "organisation_id": listing.organisation_id,
            "name": listing.name,
            "website_url": listing.website_url,
            "country": listing.country,
            "languages": list(listing.languages),
            "specialties": list(listing.specialties),
            "description": listing.description,
            "accepts_offer_requests": listing.accepts_offer_requests,
            "listed_at": listing.listed_at,
        }
        await self._session.execute(
            insert(ListingRow)
            .values(values)
            .on_conflict_do_update(index_elements=["organisation_id"], set_=values)
        )

    async def remove(self, organisation_id: UUID) -> bool:
        """Opt out of the directory; False if the partner was not listed."""
        result = await self._session.execute(
            delete(ListingRow).where(ListingRow.organisation_id == organisation_id)
        )
        return bool(getattr(result, "rowcount", 0))

    async def get(self, organisation_id: UUID) -> Listing | None:
        """A partner's listing, whatever its programme status."""
        row = await self._session.get(ListingRow, organisation_id)
        return None if row is None else _listing(row)

    async def search(self, query: DirectoryQuery) -> list[Listing]:
        """Listings of active partners matching the query, by name."""
        statement = (
            select(ListingRow)
            .join(PartnerRow, PartnerRow.organisation_id == ListingRow.organisation_id)
            .where(PartnerRow.status == PartnerStatus.ACTIVE.value)
        )
        if query.text:
            pattern = f"%{_escape_like(query.text)}%"
            statement = statement.where(
                or_(
                    ListingRow.name.ilike(pattern, escape="\\"),
                    ListingRow.description.ilike(pattern, escape="\\"),
                    func.array_to_string(ListingRow.specialties, " ").ilike(pattern, escape="\\"),
                )
            )
        if query.country:
            statement = statement.where(ListingRow.country == query.country.upper())
        if query.language:
            statement = statement.where(ListingRow.languages.contains([query.language.lower()]))
        if query.specialty:
            statement = statement.where(ListingRow.specialties.contains([query.specialty.lower()]))
        statement = statement.order_by(ListingRow.name, ListingRow.organisation_id)
        rows = await self._session.scalars(statement.limit(query.limit).offset(query.offset))
        return [_listing(row) for row in rows]

    async def offer_request_recipients(self) -> tuple[UUID, ...]:
        """Active partners listed in the directory who want clients' offer requests."""
        rows = await self._session.scalars(
            select(ListingRow.organisation_id)
            .join(PartnerRow, PartnerRow.organisation_id == ListingRow.organisation_id)
            .where(
                PartnerRow.status == PartnerStatus.ACTIVE.value, ListingRow.accepts_offer_requests.is_(True)
            )
            .order_by(ListingRow.organisation_id)
        )
        return tuple(rows)


class OfferRequestRepository:
    """Clients' offer requests and the partners who opened them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, request: OfferRequest) -> None:
        """Store a new request."""
        self._session.add(
            OfferRequestRow(
                id=request.id,
                client_organisation_id=request.client_organisation_id,
                posted_by_user_id=request.posted_by_user_id,
                title=request.title,
                description=request.description,
                country=request.country,
                languages=list(request.languages),
                contact_name=request.contact.name,
                contact_email=request.contact.email,
                contact_phone=request.contact.phone,
                posted_at=request.posted_at,
                expires_at=request.expires_at,
                recipients=list(request.recipients),
                status=request.status.value,
                closed_at=request.closed_at,
            )
        )
        await self._session.flush()

    async def get(self, request_id: UUID, *, for_update: bool = False) -> OfferRequest | None:
        """A request with its openings."""
        query = select(OfferRequestRow).where(OfferRequestRow.id == request_id)
        if for_update:
            query = query.with_for_update()
        row = await self._session.scalar(query)
        return None if row is None else (await self._with_openings([row]))[0]

    async def save(self, request: OfferRequest) -> None:
        """Persist a request's status and any new openings."""
        row = await self._session.get(OfferRequestRow, request.id)
        if row is None:
            raise LookupError(f"offer request {request.id} vanished")
        row.status, row.closed_at = request.status.value, request.closed_at
        for opening in request.openings:
            await self._session.execute(
                insert(OfferRequestOpeningRow)
                .values(
                    offer_request_id=request.id,
                    partner_organisation_id=opening.partner_organisation_id,
                    opened_by_user_id=opening.opened_by_user_id,
                    opened_at=opening.opened_at,
                )
                .on_conflict_do_nothing()
            )
        await self._session.flush()

    async def of_client(self, client_id: UUID) -> list[OfferRequest]:
        """A client's requests, newest first."""
        rows = list(
            await self._session.scalars(
                select(OfferRequestRow)
                .where(OfferRequestRow.client_organisation_id == client_id)
                .order_by(OfferRequestRow.posted_at.desc())
            )
        )
        return await self._with_openings(rows)

    async def open_for_partner(self, partner_id: UUID, now: datetime) -> list[OfferRequest]:
        """Valid requests sent to this partner, newest first."""
        rows = list(
            await self._session.scalars(
                select(OfferRequestRow)
                .where(
                    OfferRequestRow.status == OfferRequestStatus.OPEN.value,
                    OfferRequestRow.expires_at > now,
                    OfferRequestRow.recipients.contains([partner_id]),
                )
                .order_by(OfferRequestRow.posted_at.desc())
            )
        )
        return await self._with_openings(rows)

    async def due_for_expiry(self, now: datetime, limit: int = 100) -> list[OfferRequest]:
        """Open requests whose time ran out, locked, skipping rows others hold."""
        rows = list(
            await self._session.scalars(
                select(OfferRequestRow)
                .where(
                    OfferRequestRow.status == OfferRequestStatus.OPEN.value, OfferRequestRow.expires_at <= now
                )
                .order_by(OfferRequestRow.expires_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        return await self._with_openings(rows)

    async def next_expiry(self) -> datetime | None:
        """When the next open request expires."""
        found: datetime | None = await self._session.scalar(
            select(func.min(OfferRequestRow.expires_at)).where(
                OfferRequestRow.status == OfferRequestStatus.OPEN.value
            )
        )
        return found

    async def _with_openings(self, rows: list[OfferRequestRow]) -> list[OfferRequest]:
        openings: dict[UUID, list[Opening]] = {row.id: [] for row in rows}
        if rows:
            found = await self._session.scalars(
                select(OfferRequestOpeningRow)
                .where(OfferRequestOpeningRow.offer_request_id.in_(list(openings)))
                .order_by(OfferRequestOpeningRow.opened_at)
            )
            for opening in found:
                openings[opening.offer_request_id].append(
                    Opening(opening.partner_organisation_id, opening.opened_by_user_id, opening.opened_at)
                )
        return [_offer_request(row, openings[row.id]) for row in rows]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _listing(row: ListingRow) -> Listing:
    return Listing(
        organisation_id=row.organisation_id,
        name=row.name,
        website_url=row.website_url,
        country=row.country,
        languages=tuple(row.languages),
        specialties=tuple(row.specialties),
        description=row.description,
        accepts_offer_requests=row.accepts_offer_requests,
        listed_at=row.listed_at,
    )


def _offer_request(row: OfferRequestRow, openings: list[Opening]) -> OfferRequest:
    return OfferRequest(
        id=row.id,
        client_organisation_id=row.client_organisation_id,
        posted_by_user_id=row.posted_by_user_id,
        title=row.title,
        description=row.description,
        country=row.country,
        languages=tuple(row.languages),
        contact=Contact(row.contact_name, row.contact_email, row.contact_phone),
        posted_at=row.posted_at,
        expires_at=row.expires_at,
        recipients=tuple(row.recipients),
        status=OfferRequestStatus(row.status),
        closed_at=row.closed_at,
        openings=openings,
    )
