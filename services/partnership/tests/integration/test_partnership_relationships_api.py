"""The client and the partner through partnership's HTTP API, on real PostgreSQL and Kafka."""

from typing import Any
from uuid import UUID, uuid4

import pytest
from conftest import Organisations, Steps

from tessera_devtools.testing import KafkaProbe, RunningService, TokenIssuer
from tessera_events.identity import Role
from tessera_events.partnership import (
    RELATIONSHIPS,
    BillingModeChanged,
    RelationshipProposed,
    RelationshipStarted,
)
from tessera_partnership.config import PartnershipSettings

pytestmark = pytest.mark.integration
Partnership = RunningService[PartnershipSettings]


async def grant(
    partnership: Partnership, tokens: TokenIssuer, client: UUID, partner: UUID, access: str = "full"
) -> dict[str, Any]:
    """The client asks the partner to manage its products, and the partner accepts."""
    products = ["web-hosting-pro"] if access == "restricted" else []
    response = await partnership.http.post(
        f"/v1/organisations/{client}/partners",
        json={"partner_organisation_id": str(partner), "access": access, "product_codes": products},
        headers=tokens.headers({client: Role.LEGAL_REPRESENTATIVE}),
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "proposed"
    accepted = await partnership.http.post(
        f"/v1/organisations/{partner}/relationships/{response.json()['relationship_id']}/accept",
        headers=tokens.headers({partner: Role.ADMINISTRATOR}),
    )
    assert accepted.status_code == 200, accepted.text
    body: dict[str, Any] = accepted.json()
    assert body["status"] == "active"
    return body


async def test_client_switching_to_partner_pays_is_published_with_its_effective_date(
    partnership: Partnership,
    tokens: TokenIssuer,
    organisations: Organisations,
    kafka: KafkaProbe,
    steps: Steps,
) -> None:
    partner = await steps.active_partner(organisations, "Alpenweb Partner AG")
    client = await organisations.register("Boulangerie Dupont SA", "FR")
    relationship = await grant(partnership, tokens, client, partner)
    user = uuid4()

    response = await partnership.http.put(
        f"/v1/organisations/{client}/partners/{relationship['relationship_id']}/billing-mode",
        json={"billing_mode": "partner_pays", "effective_at": "2031-01-01T00:00:00Z"},
        headers=tokens.headers({client: Role.ADMINISTRATOR}, user_id=user),
    )

    assert response.status_code == 200, response.text
    assert response.json()["billing_mode"] == "partner_pays"
    assert response.json()["billing_mode_history"][0]["effective_at"] == "2031-01-01T00:00:00Z"
    proposed, started, changed = await kafka.collect(
        RELATIONSHIPS.name, lambda event: event.subject == relationship["relationship_id"], count=3
    )
    assert isinstance(proposed.data, RelationshipProposed)
    assert isinstance(started.data, RelationshipStarted)
    assert isinstance(changed.data, BillingModeChanged)
    assert changed.data.changed_by_user_id == user
    assert changed.data.effective_at.year == 2031


async def test_both_sides_see_the_relationship_and_outsiders_are_told_it_does_not_exist(
    partnership: Partnership, tokens: TokenIssuer, organisations: Organisations, steps: Steps
) -> None:
    partner = await steps.active_partner(organisations, "Partner Seen GmbH")
    client = await organisations.register("Client Seen AG")
    relationship = await grant(partnership, tokens, client, partner)
    path = f"/relationships/{relationship['relationship_id']}"

    as_client = await partnership.http.get(
        f"/v1/organisations/{client}{path}", headers=tokens.headers({client: Role.MEMBER})
    )
    as_partner = await partnership.http.get(
        f"/v1/organisations/{partner}/clients", headers=tokens.headers({partner: Role.ADMINISTRATOR})
    )
    outsider = uuid4()
    as_outsider = await partnership.http.get(
        f"/v1/organisations/{client}{path}", headers=tokens.headers({outsider: Role.ADMINISTRATOR})
    )

    assert as_client.status_code == 200
    assert [r["relationship_id"] for r in as_partner.json()] == [relationship["relationship_id"]]
    assert as_outsider.status_code == 404
    assert as_outsider.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("case", "status", "detail"),
    [
        ("a plain member of the client", 403, "legal representative or an administrator"),
        ("the partner's administrator", 403, "only the client"),
        ("restricted access", 409, "full access"),
        ("the mode already in use", 409, "already uses client_pays"),
        ("a date in the past", 422, "never earlier"),
        ("no access token", 401, "Bearer"),
    ],
)
async def test_who_pays_changes_only_as_the_rules_allow(
    partnership: Partnership,
    tokens: TokenIssuer,
    organisations: Organisations,
    steps: Steps,
    case: str,
    status: int,
    detail: str,
) -> None:
    partner = await steps.active_partner(organisations, f"Partner for {case}")
    client = await organisations.register(f"Client for {case}")
    access = "restricted" if case == "restricted access" else "full"
    relationship = await grant(partnership, tokens, client, partner, access)
    roles = {
        "a plain member of the client": {client: Role.MEMBER},
        "the partner's administrator": {partner: Role.ADMINISTRATOR},
    }.get(case, {client: Role.LEGAL_REPRESENTATIVE})
    body = {
        "the mode already in use": {"billing_mode": "client_pays"},
        "a date in the past": {"billing_mode": "partner_pays", "effective_at": "2020-01-01T00:00:00Z"},
    }.get(case, {"billing_mode": "partner_pays"})
    headers = {} if case == "no access token" else tokens.headers(roles)

    response = await partnership.http.put(
        f"/v1/organisations/{client}/partners/{relationship['relationship_id']}/billing-mode",
        json=body,
        headers=headers,
    )

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert detail in response.text + response.headers.get("www-authenticate", "")


async def test_granting_access_refuses_unknown_partners_duplicates_and_self(
    partnership: Partnership, tokens: TokenIssuer, organisations: Organisations, steps: Steps
) -> None:
    partner = await steps.active_partner(organisations, "Partner Once AG")
    client = await organisations.register("Client Once AG")
    await grant(partnership, tokens, client, partner)
    headers = tokens.headers({client: Role.LEGAL_REPRESENTATIVE})

    async def attempt(partner_id: UUID) -> int:
        response = await partnership.http.post(
            f"/v1/organisations/{client}/partners",
            json={"partner_organisation_id": str(partner_id), "access": "full"},
            headers=headers,
        )
        return response.status_code

    never_admitted = await organisations.register("Never Admitted AG")

    assert await attempt(uuid4()) == 404
    assert await attempt(partner) == 409
    assert await attempt(client) == 422
    assert await attempt(never_admitted) == 409
