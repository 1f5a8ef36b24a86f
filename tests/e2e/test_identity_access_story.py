"""identity's tokens across the suite, every service in its own process on real infrastructure.

A JWT identity signs is accepted by partnership (which verifies it locally with the key identity
published on Kafka); an API token works until it is revoked; and the last legal representative of
an organisation cannot be removed through the API.
"""

import pytest

from tessera_devtools.story import Organisation, Story, eventually, expect

pytestmark = pytest.mark.e2e
PASSWORD = "e2e correct horse battery"


@pytest.fixture
async def story(infra, suite):  # type: ignore[no-untyped-def]
    driver = Story({name: suite.url(name) for name in ("identity", "partnership")}, infra.kafka_bootstrap)
    yield driver
    await driver.close()


def identity(story: Story, path: str) -> str:
    return f"{story.urls['identity']}{path}"


async def test_a_token_from_identity_is_accepted_by_partnership_for_its_own_organisation_only(
    story: Story,
) -> None:
    client = await story.register("Bäckerei Huber GmbH", "DE", "de")
    stranger = await story.register("Fremde Firma AG", "CH", "de")
    partners = f"{story.urls['partnership']}/v1/organisations/{client.organisation_id}/partners"

    own = await eventually(lambda: story.http.get(partners, headers=client.auth), accept={200})
    someone_elses = await story.http.get(partners, headers=stranger.auth)
    forged = await story.http.get(partners, headers={"authorization": "Bearer not.a.token"})

    assert own.status_code == 200, own.text
    assert own.json() == []
    assert someone_elses.status_code in {403, 404}
    assert someone_elses.headers["content-type"] == "application/problem+json"
    assert forged.status_code == 401


async def test_an_api_token_works_across_the_suite_until_it_is_revoked(story: Story) -> None:
    client = await _register_with_password(story, "Trattoria Roma Srl", "IT", "it")
    tokens = identity(story, f"/v1/organisations/{client.organisation_id}/api-tokens")
    created = expect(
        await story.http.post(
            tokens,
            headers=client.auth,
            json={
                "name": "partner sync",
                "application": "partnership",
                "permissions": ["relationships:read"],
                "password": PASSWORD,
            },
        ),
        201,
    )
    exchange = identity(story, "/v1/tokens/exchange")

    exchanged = expect(await story.http.post(exchange, json={"api_token": created["token"]}), 200)
    partners = f"{story.urls['partnership']}/v1/organisations/{client.organisation_id}/partners"
    with_api_token = await eventually(
        lambda: story.http.get(partners, headers={"authorization": f"Bearer {exchanged['access_token']}"}),
        accept={200},
    )
    revoked = await story.http.delete(f"{tokens}/{created['api_token_id']}", headers=client.auth)
    refused = await story.http.post(exchange, json={"api_token": created["token"]})

    assert with_api_token.status_code == 200
    assert revoked.json()["deactivation_reason"] == "revoked"
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert "revoked" in refused.json()["detail"]


async def test_the_last_legal_representative_cannot_be_removed_through_the_api(story: Story) -> None:
    client = await story.register("Boulangerie Martin SARL", "FR", "fr")
    member = identity(story, f"/v1/organisations/{client.organisation_id}/members/{client.user_id}")

    removed = await story.http.delete(member, headers=client.auth)
    demoted = await story.http.put(f"{member}/role", headers=client.auth, json={"role": "administrator"})
    members = await story.http.get(
        identity(story, f"/v1/organisations/{client.organisation_id}/members"), headers=client.auth
    )

    assert removed.status_code == 409
    assert removed.headers["content-type"] == "application/problem+json"
    assert "Name another legal representative first" in removed.json()["detail"]
    assert demoted.status_code == 409
    assert [(m["user_id"], m["role"]) for m in members.json()] == [(client.user_id, "legal_representative")]


async def _register_with_password(story: Story, name: str, country: str, locale: str) -> Organisation:
    """Like Story.register, with a password the test knows (API tokens ask for it again)."""
    email = f"{name.split()[0].lower()}-{story.suffix}@example.com"
    body = {
        "name": name,
        "kind": "company",
        "country": country,
        "locale": locale,
        "billing_email": f"billing-{email}",
        "legal_representative": {"email": email, "display_name": f"{name} owner", "password": PASSWORD},
    }
    created = expect(await story.http.post(identity(story, "/v1/organisations"), json=body), 201)
    session = expect(
        await story.http.post(identity(story, "/v1/sessions"), json={"email": email, "password": PASSWORD}),
        200,
    )
    return Organisation(
        organisation_id=created["organisation_id"],
        user_id=created["user_id"],
        name=name,
        billing_email=f"billing-{email}",
        token=session["access_token"],
    )
