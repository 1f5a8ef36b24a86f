"""Tell both parties of a partnership that who pays for the client's products has changed."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from tessera_notify.adapters.templates import TemplateRenderer
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.billing_mode import BillingMode, BillingModeChange, MovedRenewal
from tessera_notify.domain.notices import Recipient, RecipientUnknown
from tessera_notify.service_layer.scheduling import schedule_notices


async def tell_parties_billing_mode_changed(
    uow: NotifyUnitOfWork,
    renderer: TemplateRenderer,
    *,
    cause_event_id: UUID,
    relationship_id: UUID,
    partner_organisation_id: UUID,
    client_organisation_id: UUID,
    mode: BillingMode,
    effective_at: datetime,
    renewals: Sequence[MovedRenewal],
) -> int:
    """Schedule one e-mail to the partner and one to the client, each in its own language.

    Raises RecipientUnknown when identity's event about either organisation has not reached notify
    yet: the event is parked until it does (see the README).
    """
    change = BillingModeChange(
        relationship_id=relationship_id,
        partner=await _recipient(uow, partner_organisation_id),
        client=await _recipient(uow, client_organisation_id),
        mode=mode,
        effective_at=effective_at,
        renewals=tuple(renewals),
    )
    return await schedule_notices(uow, renderer, cause_event_id, change.notices())


async def _recipient(uow: NotifyUnitOfWork, organisation_id: UUID) -> Recipient:
    recipient = await uow.recipients.organisation(organisation_id)
    if recipient is None:
        raise RecipientUnknown.organisation(organisation_id)
    return recipient
