"""The queries on notify's projection of partner-client relationships (kept apart from
``repository.py``, which is long enough)."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tessera_notify.adapters.orm import RelationshipRow


class RelationshipRepository:
    """Which partner manages which client, from when until when."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def started(
        self, relationship_id: UUID, partner_organisation_id: UUID, client_organisation_id: UUID, at: datetime
    ) -> None:
        """Remember a relationship that started; applying it again (a parked event resumed after its
        end was applied) changes nothing."""
        statement = insert(RelationshipRow).values(
            relationship_id=relationship_id,
            partner_organisation_id=partner_organisation_id,
            client_organisation_id=client_organisation_id,
            started_at=at,
            ended_at=None,
        )
        await self._session.execute(statement.on_conflict_do_nothing(index_elements=["relationship_id"]))

    async def ended(
        self, relationship_id: UUID, partner_organisation_id: UUID, client_organisation_id: UUID, at: datetime
    ) -> None:
        """Remember that a relationship ended (inserted, already ended, if its start was never seen)."""
        statement = insert(RelationshipRow).values(
            relationship_id=relationship_id,
            partner_organisation_id=partner_organisation_id,
            client_organisation_id=client_organisation_id,
            started_at=at,
            ended_at=at,
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["relationship_id"], set_={"ended_at": statement.excluded.ended_at}
            )
        )

    async def managing_partners(self, client_organisation_id: UUID, at: datetime) -> list[UUID]:
        """The partners whose relationship with the client is in force at ``at``, oldest first."""
        rows = await self._session.scalars(
            select(RelationshipRow.partner_organisation_id)
            .where(
                RelationshipRow.client_organisation_id == client_organisation_id,
                RelationshipRow.started_at <= at,
                or_(RelationshipRow.ended_at.is_(None), RelationshipRow.ended_at > at),
            )
            .order_by(RelationshipRow.started_at)
        )
        return list(dict.fromkeys(rows))
