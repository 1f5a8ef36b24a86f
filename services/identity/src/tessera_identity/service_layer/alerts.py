"""Security alerts: the person always hears when how they sign in changes (notify e-mails them)."""

from uuid import UUID, uuid4

from tessera_events import identity as contract
from tessera_identity.adapters.uow import IdentityUnitOfWork


def raise_alert(
    uow: IdentityUnitOfWork, user_id: UUID, kind: contract.SecurityAlertKind, detail: str | None = None
) -> None:
    """Emit a SecurityAlertRaised in this transaction; ``detail`` must never hold a secret."""
    uow.emit(
        contract.SecurityAlertRaised(
            alert_id=uuid4(), user_id=user_id, kind=kind, occurred_at=uow.clock.now(), detail=detail
        )
    )
