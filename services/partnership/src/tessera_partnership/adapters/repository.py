"""Queries on organisations, memberships and relationships."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tessera_kit.db import upsert
from tessera_partnership.adapters.orm import (
    BillingModeChangeRow,
    MembershipRow,
    OrganisationRow,
    RelationshipRow,
)
from tessera_partnership.domain.organisation import Organisation
from tessera_partnership.domain.relationship import (
    Access,
    AccessScope,
    BillingMode,
    BillingModeChange,
    Ending,
    EndReason,
    Proposal,
    Relationship,
    RelationshipStatus,
    Side,
)

CURRENT = (RelationshipStatus.PROPOSED.value, RelationshipStatus.ACTIVE.value)


class OrganisationRepository:
    """Organisations and memberships known from identity's events."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert(self, organisation: Organisation) -> None:
        """Insert or refresh an organisation."""
        await self.upsert_many([organisation])

    async def upsert_many(self, organisations: Sequence[Organisation]) -> None:
        """Insert or refresh organisations in one statement (the last of several with one id wins)."""
        latest = {organisation.id: organisation for organisation in organisations}
        rows = [
            {
                "id": organisation.id,
                "name": organisation.name,
                "kind": organisation.kind,
                "country": organisation.country,
                "registry_number": organisation.registry_number,
            }
            for organisation in latest.values()
        ]
        await upsert(self._session, OrganisationRow, rows, key="id")

    async def get(self, organisation_id: UUID, *, for_update: bool = False) -> Organisation | None:
        """An organisation, or None when identity has not told us of it; locked for the transaction if
        asked (so two programme decisions about one organisation run one after the other)."""
        query = select(OrganisationRow).where(OrganisationRow.id == organisation_id)
        if for_update:
            query = query.with_for_update()
        row = await self._session.scalar(query)
        if row is None:
            return None
        return Organisation(
            id=row.id, name=row.name, kind=row.kind, country=row.country, registry_number=row.registry_number
        )

    async def names(self, organisation_ids: Sequence[UUID]) -> dict[UUID, str]:
        """The names of these organisations, in one query."""
        if not organisation_ids:
            return {}
        rows = await self._session.execute(
            select(OrganisationRow.id, OrganisationRow.name).where(OrganisationRow.id.in_(organisation_ids))
        )
        return {row.id: row.name for row in rows}

    async def grant_membership(self, organisation_id: UUID, user_id: UUID, role: str) -> None:
        """A user is a member of an organisation (or changed role)."""
        values = {"organisation_id": organisation_id, "user_id": user_id, "role": role}
        await self._session.execute(
            insert(MembershipRow)
            .values(values)
            .on_conflict_do_update(index_elements=["organisation_id", "user_id"], set_={"role": role})
        )

    async def revoke_membership(self, organisation_id: UUID, user_id: UUID) -> None:
        """A user left an organisation."""
        await self._session.execute(
            delete(MembershipRow).where(
                MembershipRow.organisation_id == organisation_id, MembershipRow.user_id == user_id
            )
        )

    async def members(self, organisation_id: UUID) -> frozenset[UUID]:
        """The users known to belong to an organisation."""
        rows = await self._session.scalars(
            select(MembershipRow.user_id).where(MembershipRow.organisation_id == organisation_id)
        )
        return frozenset(rows)


class RelationshipRepository:
    """Relationships between partners and clients, with their billing mode history."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, relationship: Relationship) -> bool:
        """Store a new relationship (a proposal); False when a concurrent request stored one for the same
        partner and client first (the partial unique index refused this one)."""
        try:
            async with self._session.begin_nested():
                self._session.add(RelationshipRow(id=relationship.id, **_columns(relationship)))
        except IntegrityError:
            return False
        return True

    async def save(self, relationship: Relationship) -> None:
        """Persist a relationship's state and any billing mode changes not stored yet."""
        await self._session.execute(
            update(RelationshipRow)
            .where(RelationshipRow.id == relationship.id)
            .values(**_columns(relationship))
        )
        stored = await self._session.scalar(
            select(func.count()).where(BillingModeChangeRow.relationship_id == relationship.id)
        )
        for change in relationship.billing_mode_changes[stored or 0 :]:
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

    async def get(self, relationship_id: UUID, *, for_update: bool = False) -> Relationship | None:
        """A relationship with its billing mode history; locked for the transaction if asked."""
        query = select(RelationshipRow).where(RelationshipRow.id == relationship_id)
        if for_update:
            query = query.with_for_update()
        row = await self._session.scalar(query)
        return None if row is None else (await self._with_histories([row]))[0]

    async def current_between(
        self, partner_organisation_id: UUID, client_organisation_id: UUID, *, for_update: bool = False
    ) -> Relationship | None:
        """The proposed or active relationship of this partner with this client, if any."""
        query = select(RelationshipRow).where(
            RelationshipRow.partner_organisation_id == partner_organisation_id,
            RelationshipRow.client_organisation_id == client_organisation_id,
            RelationshipRow.status.in_(CURRENT),
        )
        if for_update:
            query = query.with_for_update()
        row = await self._session.scalar(query)
        return None if row is None else (await self._with_histories([row]))[0]

    async def involving(
        self, organisation_id: UUID, *, as_client: bool, statuses: Sequence[RelationshipStatus] = ()
    ) -> list[Relationship]:
        """The relationships where the organisation is the client (``as_client``) or the partner, oldest
        first, optionally only in some statuses."""
        side = (
            RelationshipRow.client_organisation_id if as_client else RelationshipRow.partner_organisation_id
        )
        query = select(RelationshipRow).where(side == organisation_id)
        if statuses:
            query = query.where(RelationshipRow.status.in_([status.value for status in statuses]))
        rows = list(
            await self._session.scalars(
                query.order_by(
                    func.coalesce(RelationshipRow.started_at, RelationshipRow.proposed_at), RelationshipRow.id
                )
            )
        )
        return await self._with_histories(rows)

    async def due_for_expiry(self, now: datetime, limit: int = 100) -> list[Relationship]:
        """Active relationships whose time-bound access has run out, locked, skipping rows others hold."""
        rows = list(
            await self._session.scalars(
                select(RelationshipRow)
                .where(RelationshipRow.status == "active", RelationshipRow.access_ends_at <= now)
                .order_by(RelationshipRow.access_ends_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        return await self._with_histories(rows)

    async def due_for_warning(self, until: datetime, limit: int = 100) -> list[Relationship]:
        """Active relationships whose access ends before ``until`` and whose end date was not warned of."""
        rows = list(
            await self._session.scalars(
                select(RelationshipRow)
                .where(
                    RelationshipRow.status == "active",
                    RelationshipRow.access_ends_at <= until,
                    or_(
                        RelationshipRow.ending_warned_for.is_(None),
                        RelationshipRow.ending_warned_for != RelationshipRow.access_ends_at,
                    ),
                )
                .order_by(RelationshipRow.access_ends_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        return await self._with_histories(rows)

    async def next_access_deadline(self, lead: timedelta) -> datetime | None:
        """The next instant a time-bound grant needs attention: a warning not sent yet, or its end."""
        active = RelationshipRow.status == "active"
        unwarned = await self._session.scalar(
            select(func.min(RelationshipRow.access_ends_at)).where(
                active,
                or_(
                    RelationshipRow.ending_warned_for.is_(None),
                    RelationshipRow.ending_warned_for != RelationshipRow.access_ends_at,
                ),
            )
        )
        ending = await self._session.scalar(select(func.min(RelationshipRow.access_ends_at)).where(active))
        found = [
            instant for instant in (unwarned - lead if unwarned else None, ending) if instant is not None
        ]
        return min(found) if found else None

    async def remove_staff_member(self, partner_organisation_id: UUID, user_id: UUID) -> list[Relationship]:
        """A user who left the partner organisation manages none of its clients any more; the
        relationships whose staff list named them, as they are now."""
        changed = list(
            await self._session.scalars(
                update(RelationshipRow)
                .where(
                    RelationshipRow.partner_organisation_id == partner_organisation_id,
                    RelationshipRow.staff_user_ids.contains([user_id]),
                )
                .values(staff_user_ids=func.array_remove(RelationshipRow.staff_user_ids, user_id))
                .returning(RelationshipRow.id)
            )
        )
        if not changed:
            return []
        rows = list(
            await self._session.scalars(
                select(RelationshipRow)
                .where(RelationshipRow.id.in_(changed))
                .order_by(RelationshipRow.id)
                .execution_options(populate_existing=True)
            )
        )
        return await self._with_histories(rows)

    async def _with_histories(self, rows: list[RelationshipRow]) -> list[Relationship]:
        """The domain relationships of these rows, with billing mode changes loaded in one query."""
        histories: dict[UUID, list[BillingModeChange]] = {row.id: [] for row in rows}
        if rows:
            changes = await self._session.scalars(
                select(BillingModeChangeRow)
                .where(BillingModeChangeRow.relationship_id.in_(list(histories)))
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
        return [_relationship(row, histories[row.id]) for row in rows]


def _columns(relationship: Relationship) -> dict[str, object]:
    proposal, ending = relationship.proposal, relationship.ending
    return {
        "partner_organisation_id": relationship.partner_organisation_id,
        "client_organisation_id": relationship.client_organisation_id,
        "status": relationship.status.value,
        "access": relationship.scope.access.value,
        "product_codes": list(relationship.scope.product_codes),
        "access_ends_at": relationship.scope.ends_at,
        "ending_warned_for": relationship.ending_warned_for,
        "billing_mode": relationship.billing_mode.value,
        "proposed_by": proposal.proposed_by.value if proposal else None,
        "proposed_by_user_id": proposal.proposed_by_user_id if proposal else None,
        "proposed_at": proposal.proposed_at if proposal else None,
        "proposal_expires_at": proposal.expires_at if proposal else None,
        "started_at": relationship.started_at,
        "ended_at": ending.ended_at if ending else None,
        "end_reason": ending.reason.value if ending else None,
        "ended_by_user_id": ending.ended_by_user_id if ending else None,
        "staff_user_ids": sorted(relationship.staff_user_ids),
    }


def _relationship(row: RelationshipRow, history: list[BillingModeChange]) -> Relationship:
    proposal = None
    if row.proposed_by and row.proposed_by_user_id and row.proposed_at and row.proposal_expires_at:
        proposal = Proposal(
            Side(row.proposed_by), row.proposed_by_user_id, row.proposed_at, row.proposal_expires_at
        )
    ending = None
    if row.end_reason and row.ended_at:
        ending = Ending(EndReason(row.end_reason), row.ended_by_user_id, row.ended_at)
    return Relationship(
        id=row.id,
        partner_organisation_id=row.partner_organisation_id,
        client_organisation_id=row.client_organisation_id,
        status=RelationshipStatus(row.status),
        scope=AccessScope(Access(row.access), tuple(row.product_codes), row.access_ends_at),
        billing_mode=BillingMode(row.billing_mode),
        proposal=proposal,
        started_at=row.started_at,
        ending=ending,
        ending_warned_for=row.ending_warned_for,
        staff_user_ids=frozenset(row.staff_user_ids),
        billing_mode_changes=history,
    )
