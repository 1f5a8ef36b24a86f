"""An event parked until its recipient is known is applied, later, in the trace it arrived in: the
e-mails it causes continue the trace of the change that caused them, not that of identity's event."""

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from notify_harness import PARTNERSHIP, RunningNotify, SmtpInbox
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from tessera_devtools.testing import envelope, eventually
from tessera_events.identity import Locale
from tessera_events.partnership import Access, BillingMode, RelationshipStarted
from tessera_kit.telemetry import kafka_trace_headers, tracer

pytestmark = pytest.mark.integration


@pytest.fixture
def spans(notify: RunningNotify) -> Iterator[InMemorySpanExporter]:
    """Every span the process ends while the test runs."""
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    yield exporter
    processor.shutdown()


async def test_the_emails_of_a_parked_event_continue_the_trace_it_arrived_in(
    notify: RunningNotify, smtp_inbox: SmtpInbox, spans: InMemorySpanExporter
) -> None:
    partner = await notify.register_organisation("Parked Trace Partner Ltd", Locale.EN, "GB")
    client_id = uuid4()
    started = envelope(
        RelationshipStarted(
            relationship_id=uuid4(),
            partner_organisation_id=partner.organisation_id,
            client_organisation_id=client_id,
            access=Access.FULL,
            billing_mode=BillingMode.CLIENT_PAYS,
            started_at=datetime.now(UTC),
        ),
        source=PARTNERSHIP,
    )
    with tracer().start_as_current_span("partnership relay", kind=SpanKind.PRODUCER) as origin:
        await notify.kafka.publish(started, headers=kafka_trace_headers())
    await notify.fetch_until("SELECT 1 FROM parked_events WHERE event_id = $1", started.id)

    await notify.register_organisation("Parked Trace Client GmbH", Locale.DE, "AT", organisation_id=client_id)

    await notify.deliveries_of(started.id, settled=2)
    trace_id = origin.get_span_context().trace_id

    async def both_sends_in_the_trace() -> int | None:
        sends = [
            span
            for span in spans.get_finished_spans()
            if span.name == "smtp send" and span.context is not None and span.context.trace_id == trace_id
        ]
        return len(sends) if len(sends) == 2 else None

    assert await eventually(both_sends_in_the_trace, what="both e-mails sent in the relationship's trace")
    stored = await notify.fetch("SELECT traceparent FROM deliveries WHERE cause_event_id = $1", started.id)
    assert [row["traceparent"].split("-")[1] for row in stored] == [format(trace_id, "032x")] * 2
