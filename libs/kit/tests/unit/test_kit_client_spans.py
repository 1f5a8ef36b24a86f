"""Client spans name a call by its path with object ids left out, and keep no query string."""

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from tessera_kit.client_spans import http_client_span, path_template, record_response


def test_object_ids_are_left_out_of_the_template_and_resource_names_kept() -> None:
    assert path_template("/v1/payment_intents") == "/v1/payment_intents"
    assert path_template("/v1/payment_intents/pi_3MtwBwLkdIwHu7ix28a3tqPa") == "/v1/payment_intents/{id}"
    assert path_template("/v1/payment_methods/pm_1Q0PsIJvEtkwdCNYMSaVuRz6/detach") == (
        "/v1/payment_methods/{id}/detach"
    )
    assert path_template("/v1/setup_intents/seti_123") == "/v1/setup_intents/{id}"


def test_a_span_keeps_method_host_and_path_but_not_the_query_and_a_402_is_an_error() -> None:
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider())  # what configure_tracing installs in a service
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)

    url = "https://api.stripe.com/v1/payment_intents/pi_3MtwBwLkdIwHu7ix28a3tqPa?client_secret=pi_x_secret_y"
    with http_client_span("stripe", "get", url) as span:
        record_response(span, 402)

    processor.shutdown()
    [finished] = exporter.get_finished_spans()
    assert finished.name == "GET /v1/payment_intents/{id}"
    assert finished.kind is SpanKind.CLIENT
    assert finished.status.status_code is StatusCode.ERROR
    assert dict(finished.attributes or {}) == {
        "http.request.method": "GET",
        "server.address": "api.stripe.com",
        "url.scheme": "https",
        "url.path": "/v1/payment_intents/pi_3MtwBwLkdIwHu7ix28a3tqPa",
        "url.template": "/v1/payment_intents/{id}",
        "peer.service": "stripe",
        "http.response.status_code": 402,
        "error.type": "402",
    }
    assert "secret" not in str(finished.attributes)
