"""Turn notices into deliveries: worded once, recorded once per cause, recipient and notification.

This runs inside the consumer's transaction, so the deliveries commit together with the inbox row
of the event that caused them: either the event is applied and its e-mails are recorded, or
neither. Sending happens after the commit (``sending.py``), never inside it. A notice whose
category the recipient or the organisation switched off is recorded as ``suppressed`` and never
sent, so the log says why nothing arrived (and a replay still sends nothing).
"""

from collections.abc import Iterable, Sequence
from uuid import UUID, uuid4

from tessera_kit.telemetry import current_trace_headers
from tessera_notify.adapters.orm import DeliveryRow
from tessera_notify.adapters.templates import TemplateRenderer
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.catalogue import Category
from tessera_notify.domain.deliveries import DeliveryStatus
from tessera_notify.domain.notices import Notice
from tessera_notify.domain.preferences import wanted


async def schedule_notices(
    uow: NotifyUnitOfWork, renderer: TemplateRenderer, cause_event_id: UUID, notices: Iterable[Notice]
) -> int:
    """Record an e-mail for each notice, due now (or suppressed); returns how many were new."""
    notices = list(notices)
    unwanted = await _switched_off(uow, notices)
    now = uow.clock.now()
    # The retry job continues this trace (the consumer's) when it sends the e-mail later.
    trace = current_trace_headers()
    deliveries = []
    for notice in notices:
        recipient = notice.recipient
        email = renderer.render(notice.notification, recipient.language, recipient.country, notice.facts)
        suppressed = notice in unwanted
        deliveries.append(
            DeliveryRow(
                id=uuid4(),
                cause_event_id=cause_event_id,
                notification=notice.notification,
                category=notice.category.value,
                organisation_id=recipient.organisation_id,
                recipient_user_id=recipient.user_id,
                recipient=recipient.address,
                locale=email.language,
                subject=email.subject,
                text_body=email.text,
                html_body=email.html,
                status=(DeliveryStatus.SUPPRESSED if suppressed else DeliveryStatus.PENDING).value,
                attempts=0,
                next_attempt_at=None if suppressed else now,
                last_error=f"{notice.category.value} notifications are switched off" if suppressed else None,
                traceparent=trace.get("traceparent"),
                tracestate=trace.get("tracestate"),
                created_at=now,
                delivered_at=None,
                failed_at=None,
            )
        )
    return await uow.deliveries.add_new(deliveries)


async def _switched_off(uow: NotifyUnitOfWork, notices: Sequence[Notice]) -> list[Notice]:
    """The notices their organisation or recipient does not want (security notices are always wanted)."""
    optional = [notice for notice in notices if not notice.category.always_sent]
    organisations: set[tuple[UUID, Category]] = {
        (notice.recipient.organisation_id, notice.category)
        for notice in optional
        if notice.recipient.organisation_id is not None
    }
    people: set[tuple[UUID, Category]] = {
        (notice.recipient.user_id, notice.category)
        for notice in optional
        if notice.recipient.user_id is not None
    }
    by_organisation = await uow.preferences.organisation_choices(organisations)
    by_person = await uow.preferences.user_choices(people)
    return [
        notice
        for notice in optional
        if not wanted(
            notice.category,
            _choice(by_organisation, notice.recipient.organisation_id, notice.category),
            _choice(by_person, notice.recipient.user_id, notice.category),
        )
    ]


def _choice(
    choices: dict[tuple[UUID, Category], bool], whose: UUID | None, category: Category
) -> bool | None:
    return choices.get((whose, category)) if whose is not None else None
