"""Memberships, and the security notice when an organisation's legal representation changes.

Both run inside the consumer's transaction: the projection changes and the notice is recorded
together. The audience is read after the change, so a new legal representative hears of it too.
"""

from uuid import UUID

from tessera_notify.adapters.templates import TemplateRenderer
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.rules import LEGAL_REPRESENTATIVE, RepresentationChange, representation_change
from tessera_notify.service_layer.telling import Cause, tell_organisation

NOTIFICATION = "legal_representative_changed"


async def grant_membership(
    uow: NotifyUnitOfWork,
    renderer: TemplateRenderer,
    cause: Cause,
    *,
    organisation_id: UUID,
    user_id: UUID,
    role: str,
    previous_role: str | None,
) -> None:
    """Record the member's role; tell the administrators if it makes or unmakes a legal representative."""
    represented_before = await uow.recipients.has_legal_representative_besides(organisation_id, user_id)
    previous_role = previous_role or await uow.recipients.role_of(organisation_id, user_id)
    await uow.recipients.save_membership(organisation_id, user_id, role)
    change = representation_change(role, previous_role, represented_before)
    if change is not None:
        await _tell(uow, renderer, cause, organisation_id, user_id, change)


async def revoke_membership(
    uow: NotifyUnitOfWork,
    renderer: TemplateRenderer,
    cause: Cause,
    *,
    organisation_id: UUID,
    user_id: UUID,
    role: str,
) -> None:
    """Forget the membership; tell the remaining administrators if a legal representative left."""
    await uow.recipients.remove_membership(organisation_id, user_id)
    if role == LEGAL_REPRESENTATIVE:
        await _tell(uow, renderer, cause, organisation_id, user_id, RepresentationChange.REMOVED)


async def _tell(
    uow: NotifyUnitOfWork,
    renderer: TemplateRenderer,
    cause: Cause,
    organisation_id: UUID,
    user_id: UUID,
    change: RepresentationChange,
) -> None:
    person = await uow.recipients.person(user_id)
    # identity's users travel on another topic: a person not known yet is named generically.
    facts = {"person_name": person.name if person else None, "change": change.value}
    await tell_organisation(uow, renderer, cause, NOTIFICATION, organisation_id, facts)
