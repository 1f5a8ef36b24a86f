"""What an attacker types into billing answers 4xx problem+json, never 500: NUL characters in a tag
name, an address or a query, and bodies beyond the size limit."""

from uuid import uuid4

import httpx
import pytest

from tessera_billing.config import BillingSettings
from tessera_devtools.testing import RunningService, TokenIssuer
from tessera_events.identity import Role

pytestmark = pytest.mark.integration
ADDRESS = {
    "name": "Bäckerei Muster",
    "line1": "Hauptstrasse 1",
    "postal_code": "8001",
    "city": "Zürich",
    "country": "CH",
}


def assert_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_tag_name_with_a_nul_character_is_refused_and_nothing_is_created(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation = uuid4()
    member = tokens.headers({organisation: Role.MEMBER})
    base = f"/v1/organisations/{organisation}/tags"

    created = await billing.http.post(base, json={"name": "Shop\u0000", "colour": "#ff8800"}, headers=member)
    kept = await billing.http.post(base, json={"name": "Shop", "colour": "#ff8800"}, headers=member)
    renamed = await billing.http.patch(
        f"{base}/{kept.json()['tag_id']}", json={"name": "\u0000"}, headers=member
    )

    assert_problem(created, 422)
    assert created.json()["errors"][0]["loc"] == ["body", "name"]
    assert_problem(renamed, 422)
    assert [tag["name"] for tag in (await billing.http.get(base, headers=member)).json()] == ["Shop"]


async def test_a_tag_name_that_is_taken_once_trimmed_is_a_conflict_not_a_server_error(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation = uuid4()
    owner = tokens.headers({organisation: Role.LEGAL_REPRESENTATIVE})
    base = f"/v1/organisations/{organisation}/tags"
    await billing.http.post(base, json={"name": "Shop", "colour": "#ff8800"}, headers=owner)
    other = await billing.http.post(base, json={"name": "Other", "colour": "#ff8800"}, headers=owner)

    padded = await billing.http.post(base, json={"name": " Shop\t", "colour": "#ff8800"}, headers=owner)
    renamed = await billing.http.patch(
        f"{base}/{other.json()['tag_id']}", json={"name": "shop "}, headers=owner
    )

    assert_problem(padded, 409)
    assert_problem(renamed, 409)


async def test_an_address_or_a_query_with_a_nul_character_is_refused(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation = uuid4()
    legal = tokens.headers({organisation: Role.LEGAL_REPRESENTATIVE})
    base = f"/v1/organisations/{organisation}"

    address = await billing.http.post(
        f"{base}/billing-addresses", json=ADDRESS | {"city": "Z\u0000rich"}, headers=legal
    )
    history = await billing.http.get(f"{base}/billing-history", params={"cursor": "\u0000"}, headers=legal)
    card = await billing.http.put(f"{base}/payment-methods/pm_%00/primary", headers=legal)

    assert_problem(address, 422)
    assert_problem(history, 422)
    assert_problem(card, 422)


async def test_a_body_beyond_the_size_limit_is_refused_with_413(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation = uuid4()
    legal = tokens.headers({organisation: Role.LEGAL_REPRESENTATIVE})

    response = await billing.http.post(
        f"/v1/organisations/{organisation}/billing-addresses",
        json=ADDRESS | {"line2": "x" * (2 * 1024 * 1024)},
        headers=legal,
    )

    assert_problem(response, 413)
