"""The OTLP collector, fed by the real OTLP/HTTP protobuf exporter."""

import threading
import time
from pathlib import Path

import pytest
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind

from tessera_devtools.otlp_collector import OtlpCollector, read_spans, wait_for_spans


def tracer_provider(service: str, endpoint: str, compression: Compression) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    exporter = OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces", compression=compression)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


@pytest.mark.parametrize("compression", [Compression.NoCompression, Compression.Gzip])
def test_exported_spans_are_written_one_json_line_each(tmp_path: Path, compression: Compression) -> None:
    spans_file = tmp_path / "spans.jsonl"
    with OtlpCollector(spans_file) as collector:
        provider = tracer_provider("billing", collector.endpoint, compression)
        tracer = provider.get_tracer("tests")
        with tracer.start_as_current_span("POST /orders", kind=SpanKind.SERVER) as parent:
            tracer.start_span("publish", kind=SpanKind.PRODUCER, attributes={"n": 3, "ok": True}).end()
        provider.shutdown()
    trace_id = format(parent.get_span_context().trace_id, "032x")
    spans = {span["name"]: span for span in read_spans(spans_file)}
    assert set(spans) == {"POST /orders", "publish"}
    child, root = spans["publish"], spans["POST /orders"]
    assert child["trace_id"] == root["trace_id"] == trace_id
    assert len(root["span_id"]) == 16
    assert child["parent_span_id"] == root["span_id"]
    assert root["parent_span_id"] is None
    assert (root["kind"], child["kind"]) == ("SERVER", "PRODUCER")
    assert child["service"] == "billing"
    assert child["attributes"] == {"n": 3, "ok": True}
    assert (
        root["start_unix_nano"] <= child["start_unix_nano"] <= child["end_unix_nano"] <= root["end_unix_nano"]
    )


def test_wait_for_spans_waits_until_every_service_has_reported(tmp_path: Path) -> None:
    spans_file = tmp_path / "spans.jsonl"
    with OtlpCollector(spans_file) as collector:
        billing = tracer_provider("billing", collector.endpoint, Compression.NoCompression)
        notify = tracer_provider("notify", collector.endpoint, Compression.NoCompression)
        with billing.get_tracer("t").start_as_current_span("charge") as span:
            context = span.get_span_context()
        trace_id = format(context.trace_id, "032x")

        def notify_later() -> None:
            time.sleep(0.3)
            from opentelemetry import trace

            parent = trace.set_span_in_context(trace.NonRecordingSpan(context))
            notify.get_tracer("t").start_span("send email", context=parent).end()

        thread = threading.Thread(target=notify_later)
        thread.start()
        spans = wait_for_spans(spans_file, trace_id, {"billing", "notify"}, timeout=10)
        thread.join()
        with pytest.raises(TimeoutError, match="wallet"):
            wait_for_spans(spans_file, trace_id, {"wallet"}, timeout=0.2)
        billing.shutdown()
        notify.shutdown()
    assert {span["service"] for span in spans} == {"billing", "notify"}
