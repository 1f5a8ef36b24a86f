"""One trace runs from the change in billing through notify's consumer to the SMTP server."""

from collections.abc import Iterator

import pytest
from notify_harness import BILLING, RunningNotify, SmtpInbox, payer_reassigned
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from tessera_devtools.testing import envelope, eventually
from tessera_events.identity import Locale
from tessera_events.partnership import BillingMode
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


def named(exporter: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [span for span in exporter.get_finished_spans() if span.name == name]


def in_trace(spans: list[ReadableSpan], trace_id: int) -> list[ReadableSpan]:
    return [span for span in spans if span.context is not None and span.context.trace_id == trace_id]


async def test_smtp_sends_continue_the_trace_of_the_billing_change_even_when_retried(
    notify: RunningNotify, smtp_inbox: SmtpInbox, spans: InMemorySpanExporter
) -> None:
    partner = await notify.register_organisation("Trace Partners", Locale.EN, "CH")
    client = await notify.register_organisation("Trace Client", Locale.IT, "CH")
    smtp_inbox.busy_once[partner.billing_email] = "451 4.3.0 try again later"
    change = envelope(payer_reassigned(partner, client, BillingMode.PARTNER_PAYS), source=BILLING)
    with tracer().start_as_current_span("billing relay", kind=SpanKind.PRODUCER) as origin:
        await notify.kafka.publish(change, headers=kafka_trace_headers())

    await eventually(
        lambda: notify.fetch(
            "SELECT 1 FROM deliveries WHERE recipient = $1 AND status = 'delivered'", partner.billing_email
        ),
        what="the retried e-mail to be delivered",
    )

    trace_id = origin.get_span_context().trace_id
    [consumed] = [
        span
        for span in named(spans, "tessera.billing.payer-assignments.v1 process")
        if span.context.trace_id == trace_id
    ]
    sends = [span for span in named(spans, "smtp send") if span.context.trace_id == trace_id]
    assert len(sends) == 3  # the client's, the partner's deferred one, and its retry from the background job
    assert all(send.kind is SpanKind.CLIENT for send in sends)
    assert all(send.parent is not None and send.parent.span_id == consumed.context.span_id for send in sends)
