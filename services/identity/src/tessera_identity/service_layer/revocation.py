"""Taking access back in seconds: what identity records, in the same transaction as the change,
for its own token checks (identity does not consume its own events), and announces to the others.

Every instant is cut to whole milliseconds, like a token's ``iat``: a token issued after a
revocation then never compares as earlier than it.
"""

from datetime import datetime
from uuid import UUID

from tessera_events import identity as contract
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.domain.model import Role
from tessera_kit.revocations import record_membership_change, record_sessions_revoked


def revocation_instant(uow: IdentityUnitOfWork) -> datetime:
    """Now, in whole milliseconds: the instant a revocation takes effect."""
    now = uow.clock.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


async def end_sessions(
    uow: IdentityUnitOfWork, user_id: UUID, reason: contract.SessionsRevokedReason
) -> datetime:
    """Refuse every token the person holds now, here and (through SessionsRevoked) everywhere."""
    at = revocation_instant(uow)
    await record_sessions_revoked(uow.session, user_id, at)
    uow.emit(contract.SessionsRevoked(user_id=user_id, reason=reason, revoked_at=at), occurred_at=at)
    return at


async def membership_changed(
    uow: IdentityUnitOfWork, organisation_id: UUID, user_id: UUID, role: Role | None, at: datetime
) -> None:
    """From ``at`` on, tokens issued earlier carry ``role`` (None: no role) in the organisation."""
    await record_membership_change(
        uow.session, user_id, organisation_id, contract.Role(role.value) if role else None, at
    )
