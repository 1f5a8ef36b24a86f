"""Revocation: what identity took back since an access token was issued, known to every service.

Access tokens are checked locally, so without this a revoked API token, a removed member or a changed
password would keep working until the token expires. identity publishes each of these as an event;
every service projects them into three small tables (identity writes the same tables in its own
transactions), and each request's token is checked against them:

* ``tessera_revoked_api_tokens``: an API token deactivated for any reason; access tokens exchanged
  for it are refused.
* ``tessera_sessions_revoked``: per person, the instant before which every token is refused
  (password changed, signed out everywhere).
* ``tessera_membership_changes``: per person and organisation, the latest role (none when removed)
  and when it changed; a token issued before the change has that role, or none, in that organisation.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from tessera_events import CloudEvent
from tessera_events.identity import (
    ApiTokenDeactivated,
    MembershipGranted,
    MembershipRevoked,
    Role,
    SessionsRevoked,
)
from tessera_kit.consumers import EventHandlers
from tessera_kit.uow import UnitOfWork

TABLES = ("tessera_revoked_api_tokens", "tessera_sessions_revoked", "tessera_membership_changes")


def create_revocation_tables() -> None:
    """Create the revocation projection (call from a service's migration)."""
    op.create_table(
        "tessera_revoked_api_tokens",
        sa.Column("api_token_id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "tessera_sessions_revoked",
        sa.Column("user_id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "tessera_membership_changes",
        sa.Column("user_id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("organisation_id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("role", sa.Text),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )


def drop_revocation_tables() -> None:
    """Drop what :func:`create_revocation_tables` created."""
    for table in TABLES:
        op.drop_table(table)


async def record_api_token_revoked(session: AsyncSession, api_token_id: UUID, at: datetime) -> None:
    """Refuse access tokens exchanged for this API token from now on."""
    await session.execute(
        text(
            "INSERT INTO tessera_revoked_api_tokens (api_token_id, revoked_at) VALUES (:id, :at) "
            "ON CONFLICT (api_token_id) DO NOTHING"
        ),
        {"id": api_token_id, "at": at},
    )


async def record_sessions_revoked(session: AsyncSession, user_id: UUID, at: datetime) -> None:
    """Refuse every token issued to the person before ``at`` (a later instant never moves back)."""
    await session.execute(
        text(
            "INSERT INTO tessera_sessions_revoked (user_id, revoked_at) VALUES (:user, :at) "
            "ON CONFLICT (user_id) DO UPDATE SET revoked_at = GREATEST("
            "tessera_sessions_revoked.revoked_at, EXCLUDED.revoked_at)"
        ),
        {"user": user_id, "at": at},
    )


async def record_membership_change(
    session: AsyncSession, user_id: UUID, organisation_id: UUID, role: Role | None, at: datetime
) -> None:
    """The person's role in the organisation from ``at`` on (None: removed); an older change is ignored."""
    await session.execute(
        text(
            "INSERT INTO tessera_membership_changes (user_id, organisation_id, role, changed_at) "
            "VALUES (:user, :organisation, :role, :at) ON CONFLICT (user_id, organisation_id) DO UPDATE "
            "SET role = EXCLUDED.role, changed_at = EXCLUDED.changed_at "
            "WHERE tessera_membership_changes.changed_at <= EXCLUDED.changed_at"
        ),
        {"user": user_id, "organisation": organisation_id, "role": role.value if role else None, "at": at},
    )


@dataclass(frozen=True)
class Standing:
    """What changed for a token's holder since it was issued."""

    api_token_revoked: bool
    sessions_revoked_at: datetime | None
    # organisation -> the role now (None: no longer a member), for changes after the token was issued
    changed_roles: dict[UUID, Role | None]

    def refusal(self, issued_at: datetime) -> str | None:
        """Why a token issued at ``issued_at`` is refused, or None."""
        if self.api_token_revoked:
            return "the API token this access token came from was revoked"
        if self.sessions_revoked_at is not None and issued_at < self.sessions_revoked_at:
            return "this session ended (password changed or signed out everywhere): sign in again"
        return None

    def roles(self, token_roles: dict[UUID, Role]) -> dict[UUID, Role]:
        """The token's roles corrected by later membership changes (a token never gains an organisation)."""
        roles = {}
        for organisation_id, role in token_roles.items():
            current = self.changed_roles.get(organisation_id, role)
            if current is not None:
                roles[organisation_id] = current
        return roles


async def standing(
    session: AsyncSession, user_id: UUID, issued_at: datetime, api_token_id: UUID | None
) -> Standing:
    """What was revoked for this person (and API token) since ``issued_at``, in one round trip."""
    row = (
        await session.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM tessera_revoked_api_tokens WHERE api_token_id = :token) "
                "AS token_revoked, "
                "(SELECT revoked_at FROM tessera_sessions_revoked WHERE user_id = :user) "
                "AS sessions_revoked_at, "
                "ARRAY(SELECT organisation_id FROM tessera_membership_changes "
                "WHERE user_id = :user AND changed_at > :issued ORDER BY organisation_id) AS organisations, "
                "ARRAY(SELECT role FROM tessera_membership_changes "
                "WHERE user_id = :user AND changed_at > :issued ORDER BY organisation_id) AS roles"
            ),
            {"token": api_token_id, "user": user_id, "issued": issued_at},
        )
    ).one()
    changed = {
        organisation: Role(role) if role is not None else None
        for organisation, role in zip(row.organisations, row.roles, strict=True)
    }
    return Standing(bool(row.token_revoked), row.sessions_revoked_at, changed)


revocation_handlers: EventHandlers[UnitOfWork] = EventHandlers()


@revocation_handlers.on_batch(ApiTokenDeactivated)
async def project_api_tokens_deactivated(
    events: Sequence[CloudEvent[ApiTokenDeactivated]], uow: UnitOfWork
) -> None:
    """An API token identity deactivated (revoked, expired or unused) is refused here too."""
    for event in events:
        await record_api_token_revoked(uow.session, event.data.token_id, event.data.deactivated_at)


@revocation_handlers.on_batch(SessionsRevoked)
async def project_sessions_revoked(events: Sequence[CloudEvent[SessionsRevoked]], uow: UnitOfWork) -> None:
    """A person's earlier tokens are refused here too."""
    for event in events:
        await record_sessions_revoked(uow.session, event.data.user_id, event.data.revoked_at)


@revocation_handlers.on_batch(MembershipGranted)
async def project_memberships_granted(
    events: Sequence[CloudEvent[MembershipGranted]], uow: UnitOfWork
) -> None:
    """A role given or changed counts from the event's time on, whatever older tokens say."""
    for event in events:
        data = event.data
        await record_membership_change(uow.session, data.user_id, data.organisation_id, data.role, event.time)


@revocation_handlers.on_batch(MembershipRevoked)
async def project_memberships_revoked(
    events: Sequence[CloudEvent[MembershipRevoked]], uow: UnitOfWork
) -> None:
    """A removed member's older tokens no longer reach the organisation."""
    for event in events:
        data = event.data
        await record_membership_change(uow.session, data.user_id, data.organisation_id, None, data.revoked_at)
