"""Tell an organisation's audience, or one person, about an event: the use cases every notification
shares. Each finds the recipients in the projection, words the notices and records the deliveries,
inside the consumer's transaction (the kit commits it with the inbox row)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import structlog

from tessera_notify.adapters.templates import TemplateRenderer
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.catalogue import Audience, kind_of
from tessera_notify.domain.notices import (
    OrganisationContact,
    Person,
    Recipient,
    RecipientUnknown,
    audience_of,
    notices_for,
)
from tessera_notify.service_layer.scheduling import schedule_notices

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Cause:
    """The event a notice is about: its id keys the deliveries, its time decides if it is news."""

    event_id: UUID
    occurred_at: datetime


async def tell_organisation(
    uow: NotifyUnitOfWork,
    renderer: TemplateRenderer,
    cause: Cause,
    notification: str,
    organisation_id: UUID,
    facts: Mapping[str, object],
) -> int:
    """Tell the catalogue's audience of ``notification`` in one organisation; returns the new deliveries.

    The facts gain ``organisation_name``. Raises RecipientUnknown when identity's event about the
    organisation has not reached notify yet (the event is then parked until it does).
    """
    if _old_news(uow, cause, notification):
        return 0
    contact = await require_contact(uow, organisation_id)
    recipients = await recipients_in(uow, contact, kind_of(notification).audience)
    facts = {"organisation_name": contact.name, **facts}
    return await schedule_notices(uow, renderer, cause.event_id, notices_for(notification, recipients, facts))


async def tell_person(
    uow: NotifyUnitOfWork,
    renderer: TemplateRenderer,
    cause: Cause,
    notification: str,
    user_id: UUID,
    facts: Mapping[str, object],
    organisation_id: UUID | None = None,
) -> int:
    """Tell one person, about an organisation (its country formats money and dates) or about their
    own account; returns the new deliveries. Raises RecipientUnknown for a person (or organisation)
    notify does not know yet."""
    if _old_news(uow, cause, notification):
        return 0
    person = await require_person(uow, user_id)
    contact = await require_contact(uow, organisation_id) if organisation_id else None
    if contact is not None:
        facts = {"organisation_name": contact.name, **facts}
    notices = notices_for(notification, [person.in_organisation(contact)], facts)
    return await schedule_notices(uow, renderer, cause.event_id, notices)


async def recipients_in(
    uow: NotifyUnitOfWork, contact: OrganisationContact, audience: Audience
) -> tuple[Recipient, ...]:
    """The recipients ``audience`` names in the organisation."""
    administrators = (
        await uow.recipients.administrators(contact.organisation_id)
        if audience.includes_administrators
        else []
    )
    return audience_of(audience, contact, administrators)


async def require_contact(uow: NotifyUnitOfWork, organisation_id: UUID) -> OrganisationContact:
    """The organisation, or RecipientUnknown when identity's event has not arrived yet."""
    contact = await uow.recipients.contact(organisation_id)
    if contact is None:
        raise RecipientUnknown.organisation(organisation_id)
    return contact


async def require_person(uow: NotifyUnitOfWork, user_id: UUID) -> Person:
    """The person, or RecipientUnknown when identity's event has not arrived yet."""
    person = await uow.recipients.person(user_id)
    if person is None:
        raise RecipientUnknown.user(user_id)
    return person


async def organisation_name(uow: NotifyUnitOfWork, organisation_id: UUID) -> str:
    """The organisation's name (RecipientUnknown when notify does not know it yet)."""
    return (await require_contact(uow, organisation_id)).name


def _old_news(uow: NotifyUnitOfWork, cause: Cause, notification: str) -> bool:
    if uow.too_old_to_tell(cause.occurred_at):
        log.info(
            "too old to e-mail about",
            notification=notification,
            event_id=str(cause.event_id),
            time=cause.occurred_at.isoformat(),
        )
        return True
    return False
