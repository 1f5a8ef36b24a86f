"""Every query partnership makes."""

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tessera_partnership.adapters.orm import BillingModeChangeRow, OrganisationRow, RelationshipRow
from tessera_partnership.domain.organisation import Organisation
from tessera_partnership.domain.relationship import Access, BillingMode, BillingModeChange, Relationship


class OrganisationRepository:
    """Organisations known from identity's events."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert(self, organisation: Organisation) -> None:
        """Insert or refresh an organisation."""
        values = {
            "id": organisation.id,
            "name": organisation.name,
            "kind": organisation.kind,
            "country": organisation.country,
        }
        statement = insert(OrganisationRow).values(values)
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=[OrganisationRow.id], set_=values)
        )

    async def get(self, organisation_id: UUID) -> Organisation | None:
        """An organisation, or None when identity has not told us of it."""
        row = await self._session.get(OrganisationRow, organisation_id)
        if row is None:
            return None
        return Organisation(id=row.id, name=row.name, kind=row.kind, country=row.country)


class RelationshipRepository:
    """Relationships between partners and clients."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, relationship: Relationship) -> None:
        """Store a new relationship."""
        self._session.add(
            RelationshipRow(
                id=relationship.id,
                partner_organisation_id=relationship.partner_organisation_id,
                client_organisation_id=relationship.client_organisation_id,
                access=relationship.access.value,
                billing_mode=relationship.billing_mode.value,
                started_at=relationship.started_at,
            )
        )
        await self._session.flush()

    async def get(self, relationship_id: UUID, *, for_update: bool = False) -> Relationship | None:
        """A relationship with its billing mode history; locked for the transaction if asked."""
        query = select(RelationshipRow).where(RelationshipRow.id == relationship_id)
        if for_update:
            query = query.with_for_update()
        row = await self._session.scalar(query)
        return None if row is None else await self._with_history(row)

    async def between(
        self, partner_organisation_id: UUID, client_organisation_id: UUID
    ) -> Relationship | None:
        """The relationship of this partner with this client, if any."""
        row = await self._session.scalar(
            select(RelationshipRow).where(
                RelationshipRow.partner_organisation_id == partner_organisation_id,
                RelationshipRow.client_organisation_id == client_organisation_id,
            )
        )
        return None if row is None else await self._with_history(row)

    async def involving(self, organisation_id: UUID, *, as_client: bool) -> list[Relationship]:
        """The relationships where the organisation is the client (``as_client``) or the partner, oldest
        first."""
        side = (
            RelationshipRow.client_organisation_id if as_client else RelationshipRow.partner_organisation_id
        )
        rows = list(
            await self._session.scalars(
                select(RelationshipRow).where(side == organisation_id).order_by(RelationshipRow.started_at)
            )
        )
        histories = await self._histories([row.id for row in rows])
        return [_relationship(row, histories[row.id]) for row in rows]

    async def save_billing_mode_change(self, relationship: Relationship, change: BillingModeChange) -> None:
        """Persist the client's new choice of payer and its place in the history."""
        row = await self._session.get(RelationshipRow, relationship.id)
        if row is None:
            raise LookupError(f"relationship {relationship.id} vanished")
        row.billing_mode = relationship.billing_mode.value
        self._session.add(
            BillingModeChangeRow(
                relationship_id=relationship.id,
                previous_mode=change.previous_mode.value,
                billing_mode=change.billing_mode.value,
                effective_at=change.effective_at,
                changed_by_user_id=change.changed_by_user_id,
                changed_at=change.changed_at,
            )
        )
        await self._session.flush()

    async def _with_history(self, row: RelationshipRow) -> Relationship:
        return _relationship(row, (await self._histories([row.id]))[row.id])

    async def _histories(self, relationship_ids: list[UUID]) -> dict[UUID, list[BillingModeChange]]:
        """The billing mode changes of each relationship, oldest first, in one query."""
        histories: dict[UUID, list[BillingModeChange]] = {
            relationship_id: [] for relationship_id in relationship_ids
        }
        if not relationship_ids:
            return histories
        changes = await self._session.scalars(
            select(BillingModeChangeRow)
            .where(BillingModeChangeRow.relationship_id.in_(relationship_ids))
            .order_by(BillingModeChangeRow.id)
        )
        for change in changes:
            histories[change.relationship_id].append(
                BillingModeChange(
                    previous_mode=BillingMode(change.previous_mode),
                    billing_mode=BillingMode(change.billing_mode),
                    effective_at=change.effective_at,
                    changed_by_user_id=change.changed_by_user_id,
                    changed_at=change.changed_at,
                )
            )
        return histories


def _relationship(row: RelationshipRow, history: list[BillingModeChange]) -> Relationship:
    return Relationship(
        id=row.id,
        partner_organisation_id=row.partner_organisation_id,
        client_organisation_id=row.client_organisation_id,
        access=Access(row.access),
        billing_mode=BillingMode(row.billing_mode),
        started_at=row.started_at,
        billing_mode_changes=history,
    )
