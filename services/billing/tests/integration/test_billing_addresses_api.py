"""Billing addresses over HTTP: kept by administrators, validated countries, exactly one default."""

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from payments_support import with_stripe

from tessera_billing.config import BillingSettings
from tessera_billing.main import define
from tessera_devtools.endpoints import Endpoints
from tessera_devtools.testing import RunningService, TokenIssuer, running_service
from tessera_events.identity import Role

pytestmark = pytest.mark.integration

GENEVA = {
    "name": "Acme SA",
    "line1": "Rue du Lac 1",
    "postal_code": "1204",
    "city": "Genève",
    "country": "ch",
}
PARIS = {
    "name": "Acme SAS",
    "line1": "1 rue de Rivoli",
    "postal_code": "75001",
    "city": "Paris",
    "country": "FR",
}


@pytest.fixture
async def billing(
    billing_settings: BillingSettings, infra: Endpoints
) -> AsyncIterator[RunningService[BillingSettings]]:
    async with running_service(define, with_stripe(billing_settings, infra)) as running:
        yield running


async def test_an_administrator_keeps_the_organisations_billing_addresses_with_one_default(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation = uuid4()
    admin = tokens.headers({organisation: Role.ADMINISTRATOR})
    base = f"/v1/organisations/{organisation}/billing-addresses"

    geneva = await billing.http.post(base, json=GENEVA, headers=admin)
    paris = await billing.http.post(base, json={**PARIS, "default": True}, headers=admin)
    assert (geneva.status_code, paris.status_code) == (201, 201)
    assert geneva.json()["country"] == "CH"
    assert geneva.json()["default"] is True

    listed = (await billing.http.get(base, headers=admin)).json()
    assert [(entry["city"], entry["default"]) for entry in listed] == [("Genève", False), ("Paris", True)]

    moved = await billing.http.put(
        f"{base}/{paris.json()['address_id']}", json={**PARIS, "line2": "Bâtiment B"}, headers=admin
    )
    assert moved.status_code == 200
    assert moved.json()["line2"] == "Bâtiment B"
    assert moved.json()["default"]

    assert (
        await billing.http.delete(f"{base}/{paris.json()['address_id']}", headers=admin)
    ).status_code == 204
    remaining = await billing.http.get(f"{base}/{geneva.json()['address_id']}", headers=admin)
    assert remaining.json()["default"] is True
    assert (await billing.http.get(f"{base}/{paris.json()['address_id']}", headers=admin)).status_code == 404


async def test_an_address_with_an_unknown_country_or_a_missing_line_is_refused(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation = uuid4()
    admin = tokens.headers({organisation: Role.ADMINISTRATOR})
    changes = [
        {"country": "XX"},
        {"country": "CHE"},
        {"name": "   "},
        {"postal_code": ""},
        {"planet": "Mars"},
    ]

    for change in changes:
        refused = await billing.http.post(
            f"/v1/organisations/{organisation}/billing-addresses", json={**GENEVA, **change}, headers=admin
        )
        assert refused.status_code == 422, change
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert (
        await billing.http.get(f"/v1/organisations/{organisation}/billing-addresses", headers=admin)
    ).json() == []


async def test_addresses_are_seen_by_members_changed_by_administrators_and_hidden_from_others(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation, other = uuid4(), uuid4()
    admin = tokens.headers({organisation: Role.ADMINISTRATOR, other: Role.ADMINISTRATOR})
    member = tokens.headers({organisation: Role.MEMBER})
    outsider = tokens.headers({other: Role.ADMINISTRATOR})
    base = f"/v1/organisations/{organisation}/billing-addresses"
    created = (await billing.http.post(base, json=GENEVA, headers=admin)).json()

    assert (await billing.http.get(base, headers=member)).status_code == 200
    assert (await billing.http.post(base, json=PARIS, headers=member)).status_code == 403
    assert (await billing.http.get(base, headers=outsider)).status_code == 404
    assert (await billing.http.delete(f"{base}/{created['address_id']}", headers=outsider)).status_code == 404
    # Another organisation's address id under one's own organisation is not found either.
    foreign = await billing.http.get(
        f"/v1/organisations/{other}/billing-addresses/{created['address_id']}", headers=admin
    )
    assert foreign.status_code == 404
