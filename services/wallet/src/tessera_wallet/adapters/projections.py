"""Queries on what wallet knows from other services' events: organisations, members, partners, cards."""

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tessera_kit.db import upsert
from tessera_wallet.adapters.orm import (
    OrganisationRow,
    PartnerAccessRow,
    PartnerStandingRow,
    PaymentMethodRow,
)


class ProjectionRepository:
    """Projections of identity's organisations and memberships, partnership's access, billing's cards."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record_organisation(self, organisation_id: UUID, name: str) -> None:
        """Know of an organisation."""
        await self.record_organisations({organisation_id: name})

    async def record_organisations(self, names: Mapping[UUID, str]) -> None:
        """Know of organisations (id to name), in one statement."""
        rows = [{"id": organisation_id, "name": name} for organisation_id, name in names.items()]
        await upsert(self._session, OrganisationRow, rows, key="id")

    async def organisation_known(self, organisation_id: UUID) -> bool:
        """Whether identity announced the organisation."""
        return await self._session.get(OrganisationRow, organisation_id) is not None

    async def record_partner_access(
        self,
        relationship_id: UUID,
        partner_organisation_id: UUID,
        client_organisation_id: UUID,
        *,
        access: str,
        product_codes: list[str],
        access_ends_at: datetime | None,
        billing_mode: str,
    ) -> None:
        """A partner's current access to a client, and who pays."""
        values = {
            "relationship_id": relationship_id,
            "partner_organisation_id": partner_organisation_id,
            "client_organisation_id": client_organisation_id,
            "access": access,
            "product_codes": product_codes,
            "access_ends_at": access_ends_at,
            "billing_mode": billing_mode,
            "ended": False,
        }
        statement = insert(PartnerAccessRow).values(values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[PartnerAccessRow.relationship_id],
                set_={key: value for key, value in values.items() if key != "relationship_id"},
                # An access change never revives a relationship that has ended.
                where=PartnerAccessRow.ended.is_(False),
            )
        )

    async def end_partner_access(
        self, relationship_id: UUID, partner_organisation_id: UUID, client_organisation_id: UUID
    ) -> None:
        """The partner no longer manages the client."""
        values = {
            "relationship_id": relationship_id,
            "partner_organisation_id": partner_organisation_id,
            "client_organisation_id": client_organisation_id,
            "access": "ended",
            "product_codes": [],
            "access_ends_at": None,
            "ended": True,
        }
        statement = insert(PartnerAccessRow).values(values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[PartnerAccessRow.relationship_id], set_={"ended": True}
            )
        )

    async def record_staff(self, relationship_id: UUID, staff_user_ids: list[UUID]) -> None:
        """Who of the partner's members may act for the client (its managers always may)."""
        await self._session.execute(
            update(PartnerAccessRow)
            .where(PartnerAccessRow.relationship_id == relationship_id)
            .values(staff_user_ids=staff_user_ids)
        )

    async def record_billing_mode(self, relationship_id: UUID, billing_mode: str) -> None:
        """Who pays for the client's products now."""
        await self._session.execute(
            update(PartnerAccessRow)
            .where(PartnerAccessRow.relationship_id == relationship_id)
            .values(billing_mode=billing_mode)
        )

    async def record_partner_status(self, partner_organisation_id: UUID, status: str, at: datetime) -> None:
        """The partner's status in the programme from ``at`` on; an older change never wins."""
        rows = [{"partner_organisation_id": partner_organisation_id, "status": status, "changed_at": at}]
        await upsert(
            self._session, PartnerStandingRow, rows, key="partner_organisation_id", newer="changed_at"
        )

    async def partner_status(self, partner_organisation_id: UUID) -> str | None:
        """The partner's status in the programme, or None when partnership has not said (yet)."""
        row = await self._session.get(PartnerStandingRow, partner_organisation_id)
        return None if row is None else row.status

    async def partners_of(self, client_organisation_id: UUID) -> list[PartnerAccessRow]:
        """The client's relationships that have not ended."""
        rows = await self._session.scalars(
            select(PartnerAccessRow).where(
                PartnerAccessRow.client_organisation_id == client_organisation_id,
                PartnerAccessRow.ended.is_(False),
            )
        )
        return list(rows)

    async def record_primary_card(
        self, organisation_id: UUID, customer_id: str, payment_method_id: str | None, changed_at: datetime
    ) -> None:
        """The organisation's primary card, unless a later change is already known."""
        values = {
            "organisation_id": organisation_id,
            "stripe_customer_id": customer_id,
            "payment_method_id": payment_method_id,
            "changed_at": changed_at,
        }
        statement = insert(PaymentMethodRow).values(values)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[PaymentMethodRow.organisation_id],
                set_={key: value for key, value in values.items() if key != "organisation_id"},
                where=PaymentMethodRow.changed_at <= changed_at,
            )
        )

    async def primary_card(self, organisation_id: UUID) -> PaymentMethodRow | None:
        """The organisation's primary card, if it has one."""
        row = await self._session.get(PaymentMethodRow, organisation_id)
        return row if row is not None and row.payment_method_id else None
