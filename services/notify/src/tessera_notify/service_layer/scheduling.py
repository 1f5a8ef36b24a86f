"""Turn notices into deliveries: worded once, recorded once per cause, recipient and notification.

This runs inside the consumer's transaction, so the deliveries commit together with the inbox row
of the event that caused them: either the event is applied and its e-mails are recorded, or
neither. Sending happens after the commit (``sending.py``), never inside it.
"""

from collections.abc import Iterable
from uuid import UUID, uuid4

from tessera_kit.telemetry import current_trace_headers
from tessera_notify.adapters.orm import DeliveryRow
from tessera_notify.adapters.templates import TemplateRenderer
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.deliveries import DeliveryStatus
from tessera_notify.domain.notices import Notice


async def schedule_notices(
    uow: NotifyUnitOfWork, renderer: TemplateRenderer, cause_event_id: UUID, notices: Iterable[Notice]
) -> int:
    """Record an e-mail for each notice, due now; returns how many were new."""
    now = uow.clock.now()
    # The retry job continues this trace (the consumer's) when it sends the e-mail later.
    trace = current_trace_headers()
    deliveries = []
    for notice in notices:
        recipient = notice.recipient
        email = renderer.render(notice.notification, recipient.language, recipient.country, notice.facts)
        deliveries.append(
            DeliveryRow(
                id=uuid4(),
                cause_event_id=cause_event_id,
                notification=notice.notification,
                organisation_id=recipient.organisation_id,
                recipient=recipient.address,
                locale=email.language,
                subject=email.subject,
                text_body=email.text,
                html_body=email.html,
                status=DeliveryStatus.PENDING.value,
                attempts=0,
                next_attempt_at=now,
                last_error=None,
                traceparent=trace.get("traceparent"),
                tracestate=trace.get("tracestate"),
                created_at=now,
                delivered_at=None,
                failed_at=None,
            )
        )
    return await uow.deliveries.add_new(deliveries)
