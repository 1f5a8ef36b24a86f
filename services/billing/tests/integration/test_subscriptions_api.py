"""Billing's HTTP API: the catalogue, ordering a product, and who may see what."""

from datetime import datetime
from uuid import uuid4

import pytest

from tessera_billing.config import BillingSettings
from tessera_billing.domain.periods import Period
from tessera_devtools.testing import KafkaProbe, RunningService, TokenIssuer
from tessera_events.billing import SUBSCRIPTIONS
from tessera_events.identity import Role

pytestmark = pytest.mark.integration


async def test_the_catalogue_shows_public_prices_in_francs_and_euros_to_anyone(
    billing: RunningService[BillingSettings],
) -> None:
    response = await billing.http.get("/v1/catalogue")

    assert response.status_code == 200
    products = {product["product_code"]: product for product in response.json()}
    assert products["web-hosting-pro"] == {
        "product_code": "web-hosting-pro",
        "name": "Web Hosting Pro",
        "kind": "hosting",
        "period": "yearly",
        "prices": [{"amount_minor": 11900, "currency": "CHF"}, {"amount_minor": 10900, "currency": "EUR"}],
        "price_tiers": [
            {"min_quantity": 1, "discount_bp": 0},
            {"min_quantity": 3, "discount_bp": 1000},
            {"min_quantity": 10, "discount_bp": 2000},
        ],
    }
    assert {product["kind"] for product in products.values()} == {
        "hosting",
        "domain",
        "saas",
        "resale",
        "marketplace_app",
    }
    assert products["domain-ch"]["prices"] == [
        {"amount_minor": 1300, "currency": "CHF"},
        {"amount_minor": 1200, "currency": "EUR"},
    ]
    assert products["mail-pro"]["period"] == "monthly"
    assert products["mail-pro"]["prices"] == [
        {"amount_minor": 350, "currency": "CHF"},
        {"amount_minor": 320, "currency": "EUR"},
    ]


async def test_a_member_orders_a_product_the_organisation_pays_for_itself(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    organisation, user = uuid4(), uuid4()
    member = tokens.headers({organisation: Role.MEMBER}, user_id=user)

    created = await billing.http.post(
        f"/v1/organisations/{organisation}/subscriptions",
        json={"product_code": "web-hosting-pro", "currency": "EUR"},
        headers=member,
    )

    assert created.status_code == 201, created.text
    subscription = created.json()
    assert subscription["owner_organisation_id"] == str(organisation)
    assert subscription["payer_for_next_renewal_organisation_id"] == str(organisation)
    assert subscription["price"] == {"amount_minor": 10900, "currency": "EUR"}
    assert subscription["relationship_id"] is None
    assert [entry["payer_organisation_id"] for entry in subscription["payer_history"]] == [str(organisation)]

    listed = await billing.http.get(f"/v1/organisations/{organisation}/subscriptions", headers=member)
    assert listed.status_code == 200
    assert listed.json() == [subscription]

    announced = await kafka.first(
        SUBSCRIPTIONS.name, lambda event: str(event.data.subscription_id) == subscription["subscription_id"]
    )
    assert announced.type == "tessera.billing.SubscriptionCreated.v1"
    assert announced.data.payer_organisation_id == organisation
    assert announced.data.ordered_by_user_id == user
    assert announced.data.price.amount_minor == 10900
    assert str(announced.data.next_renewal_on) == subscription["next_renewal_on"]


async def test_a_yearly_product_renews_one_year_after_it_was_ordered(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation = uuid4()

    created = await billing.http.post(
        f"/v1/organisations/{organisation}/subscriptions",
        json={"product_code": "domain-ch", "currency": "CHF"},
        headers=tokens.headers({organisation: Role.ADMINISTRATOR}),
    )

    ordered_on = datetime.fromisoformat(created.json()["payer_history"][0]["effective_from"]).date()
    assert created.json()["next_renewal_on"] == Period.YEARLY.renewal_on(ordered_on).isoformat()


async def test_ordering_needs_an_access_token(billing: RunningService[BillingSettings]) -> None:
    response = await billing.http.post(
        f"/v1/organisations/{uuid4()}/subscriptions", json={"product_code": "mail-pro", "currency": "CHF"}
    )

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_nobody_orders_or_looks_into_an_organisation_they_do_not_belong_to(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    theirs, mine = uuid4(), uuid4()
    outsider = tokens.headers({mine: Role.LEGAL_REPRESENTATIVE})

    ordered = await billing.http.post(
        f"/v1/organisations/{theirs}/subscriptions",
        json={"product_code": "mail-pro", "currency": "CHF"},
        headers=outsider,
    )
    listed = await billing.http.get(f"/v1/organisations/{theirs}/subscriptions", headers=outsider)

    assert ordered.status_code == 404
    assert listed.status_code == 404
    assert ordered.json()["type"].endswith("/not-found")


async def test_a_product_not_in_the_catalogue_is_refused_as_invalid_input(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation = uuid4()

    response = await billing.http.post(
        f"/v1/organisations/{organisation}/subscriptions",
        json={"product_code": "quantum-hosting", "currency": "CHF"},
        headers=tokens.headers({organisation: Role.MEMBER}),
    )

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["product_code"] == "quantum-hosting"


async def test_a_malformed_order_is_a_problem_never_a_crash(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation = uuid4()
    malformed = [
        {"product_code": "mail-pro", "currency": "USD"},
        {"product_code": "mail-pro"},
        {"product_code": "mail-pro", "currency": "CHF", "relationship_id": "not-a-uuid"},
        {"product_code": "", "currency": "CHF"},
        {"product_code": "mail-pro", "currency": "CHF", "discount": 100},
    ]

    for body in malformed:
        response = await billing.http.post(
            f"/v1/organisations/{organisation}/subscriptions",
            json=body,
            headers=tokens.headers({organisation: Role.MEMBER}),
        )

        assert response.status_code == 422, body
        assert response.headers["content-type"].startswith("application/problem+json")

    not_an_id = await billing.http.get("/v1/organisations/42/subscriptions", headers=tokens.headers({}))
    assert not_an_id.status_code == 422


async def test_a_relationship_billing_does_not_know_is_not_found(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    organisation = uuid4()

    response = await billing.http.post(
        f"/v1/organisations/{organisation}/subscriptions",
        json={"product_code": "mail-pro", "currency": "CHF", "relationship_id": str(uuid4())},
        headers=tokens.headers({organisation: Role.MEMBER}),
    )

    assert response.status_code == 404
    assert response.json()["type"].endswith("/not-found")
