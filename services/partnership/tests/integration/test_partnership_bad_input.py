"""What an attacker types into partnership's public edges answers 4xx problem+json, never 500, and the
cancel link's token never reaches a trace."""

from collections.abc import Iterator
from datetime import datetime
from uuid import UUID, uuid4

import httpx
import pytest
from conftest import OFFER_LINK_KEY, Steps
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tessera_devtools.testing import RunningService
from tessera_events.identity import Role
from tessera_kit.redaction import REDACTED
from tessera_kit.signed_links import sign_link
from tessera_partnership.config import PartnershipSettings
from tessera_partnership.service_layer.offer_requests import CANCEL_PURPOSE

pytestmark = pytest.mark.integration
Partnership = RunningService[PartnershipSettings]
NEED = {
    "title": "Online shop for a bakery",
    "description": "We need a small online shop with 30 products, card payments, in German and French.",
    "country": "CH",
    "languages": ["de", "fr"],
    "contact": {"name": "Anna Muster", "email": "anna@example.ch", "phone": "+41 21 555 12 12"},
}


@pytest.fixture
def spans(partnership: Partnership) -> Iterator[InMemorySpanExporter]:
    """Every span the process ends while the test runs."""
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    yield exporter
    processor.shutdown()


def assert_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def posted_offer_request(steps: Steps) -> dict[str, str]:
    client = uuid4()
    posted: dict[str, str] = await steps.call(
        "POST", f"/v1/organisations/{client}/offer-requests", steps.as_(client, Role.MEMBER), 201, NEED
    )
    return posted


@pytest.mark.parametrize(
    "query",
    [{"q": "web\x00shop"}, {"specialty": "\x00"}, {"q": "shop", "country": "C\x00"}],
)
async def test_nul_characters_in_the_directory_search_are_refused(
    partnership: Partnership, query: dict[str, str]
) -> None:
    response = await partnership.http.get("/v1/directory", params=query)

    assert_problem(response, 422)
    assert "NUL" in response.json()["detail"]


async def test_nul_characters_in_an_offer_request_are_refused_naming_the_field(steps: Steps) -> None:
    client = uuid4()
    need = NEED | {"contact": NEED["contact"] | {"name": "Anna\u0000Muster"}}  # type: ignore[operator]

    refused = await steps.call(
        "POST", f"/v1/organisations/{client}/offer-requests", steps.as_(client, Role.MEMBER), 422, need
    )

    assert refused["errors"][0]["loc"] == ["body", "contact"]


@pytest.mark.parametrize(
    "token",
    ["ünïcödé", "€" * 43, "%FF%FE", "AAAA====", "A" * 43, "not base64!", "\u202e" * 20],
    ids=["non-ascii", "non-ascii-of-the-right-length", "bytes", "padding", "wrong", "punctuation", "bidi"],
)
async def test_any_cancel_link_token_but_the_signed_one_is_refused_with_403(
    steps: Steps, partnership: Partnership, token: str
) -> None:
    request = await posted_offer_request(steps)

    response = await partnership.http.get(
        f"/v1/offer-requests/{request['offer_request_id']}/cancel", params={"token": token}
    )

    assert_problem(response, 403)


async def test_an_over_long_or_missing_cancel_token_is_invalid_input(partnership: Partnership) -> None:
    path = f"/v1/offer-requests/{uuid4()}/cancel"

    assert_problem(await partnership.http.get(path, params={"token": "A" * 5000}), 422)
    assert_problem(await partnership.http.get(path), 422)
    assert_problem(await partnership.http.get("/v1/offer-requests/not-a-uuid/cancel?token=x"), 422)


async def test_an_amount_beyond_64_bits_is_invalid_input(steps: Steps) -> None:
    applicant = uuid4()
    application = {
        "website_url": "https://alpenweb.example.ch",
        "accepts_reseller_terms": True,
        "annual_commitment": {"amount_minor": 2**63, "currency": "CHF"},
    }

    refused = await steps.call(
        "POST",
        f"/v1/organisations/{applicant}/partner-programme/application",
        steps.as_(applicant),
        422,
        application,
    )

    assert refused["errors"][0]["loc"] == ["body", "annual_commitment", "amount_minor"]


async def test_the_cancel_links_token_is_kept_out_of_the_trace(
    steps: Steps, partnership: Partnership, spans: InMemorySpanExporter
) -> None:
    request = await posted_offer_request(steps)
    request_id = request["offer_request_id"]
    token = sign_link(
        OFFER_LINK_KEY.encode(),
        CANCEL_PURPOSE,
        UUID(request_id),
        datetime.fromisoformat(request["expires_at"]),
    )

    cancelled = await partnership.http.get(
        f"/v1/offer-requests/{request_id}/cancel", params={"token": token, "utm_source": "email"}
    )

    assert cancelled.status_code == 200, cancelled.text
    trace_id = int(cancelled.headers["x-trace-id"], 16)
    in_trace = [span for span in spans.get_finished_spans() if span.context.trace_id == trace_id]
    [server] = [span for span in in_trace if span.kind is trace.SpanKind.SERVER]
    assert server.attributes is not None
    assert server.attributes["url.query"] == f"token={REDACTED}&utm_source=email"
    recorded = [str(value) for span in in_trace for value in (span.attributes or {}).values()]
    recorded += [
        str(value)
        for span in in_trace
        for event in span.events
        for value in (event.attributes or {}).values()
    ]
    assert not [value for value in recorded if token in value]
