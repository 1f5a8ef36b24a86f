"""What identity takes back is refused by every service within seconds, each in its own process.

Access tokens are verified locally in each service, so a removed member, a revoked API token or a
changed password would otherwise keep working until the token expires. identity announces each
(MembershipRevoked, ApiTokenDeactivated, SessionsRevoked); billing, wallet, partnership and notify
project them and check every request against them. Here a GET the person could do a moment before
is refused by each of the four within five seconds of identity's answer.
"""

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from tessera_devtools.story import Story, eventually, expect

pytestmark = pytest.mark.e2e
PASSWORD = "e2e revocation battery staple"
NEW_PASSWORD = "e2e another revocation battery"
WITHIN_SECONDS = 5.0
REFUSED = {401, 403, 404}
SERVICES = ("billing", "wallet", "partnership", "notify")
# The read each application's API token gets, for the GET below.
READS = {
    "billing": "subscriptions:read",
    "wallet": "wallets:read",
    "partnership": "relationships:read",
    "notify": "deliveries:read",
}


@pytest.fixture
async def story(infra, suite) -> AsyncIterator[Story]:  # type: ignore[no-untyped-def]
    driver = Story({name: suite.url(name) for name in ("identity", *SERVICES)}, infra.kafka_bootstrap)
    yield driver
    await driver.close()


def identity(story: Story, path: str) -> str:
    return f"{story.urls['identity']}{path}"


def reads(story: Story, organisation_id: str) -> dict[str, str]:
    """One GET per service that any member of the organisation may do."""
    organisation = f"/v1/organisations/{organisation_id}"
    return {
        "billing": f"{story.urls['billing']}{organisation}/subscriptions",
        "wallet": f"{story.urls['wallet']}{organisation}/wallets",
        "partnership": f"{story.urls['partnership']}{organisation}/partners",
        "notify": f"{story.urls['notify']}{organisation}/deliveries",
    }


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def sign_up(story: Story, name: str) -> tuple[str, str, str]:
    """A new organisation; its id, its legal representative's e-mail address and access token."""
    email = f"{name.split()[0].lower()}-{story.suffix}@example.com"
    body = {
        "name": name,
        "kind": "company",
        "country": "CH",
        "locale": "de",
        "billing_email": f"billing-{email}",
        "legal_representative": {"email": email, "display_name": f"{name} owner", "password": PASSWORD},
    }
    created = expect(await story.http.post(identity(story, "/v1/organisations"), json=body), 201)
    return created["organisation_id"], email, await sign_in(story, email)


async def sign_in(story: Story, email: str, password: str = PASSWORD) -> str:
    session = await story.http.post(
        identity(story, "/v1/sessions"), json={"email": email, "password": password}
    )
    token: str = expect(session, 200)["access_token"]
    return token


async def answered_by_all(story: Story, urls: dict[str, str], headers: dict[str, dict[str, str]]) -> None:
    """Each GET answers 200 (waiting while each service learns the organisation, member and key)."""
    responses = await asyncio.gather(
        *(
            eventually(lambda s=service: story.http.get(urls[s], headers=headers[s]), accept={200})
            for service in SERVICES
        )
    )
    for response in responses:
        expect(response, 200)


async def seconds_until_refused(
    http: httpx.AsyncClient, url: str, headers: dict[str, str], since: float
) -> float:
    """How long after ``since`` the GET was first refused (polling ten times a second, at most 30 s)."""
    while True:
        response = await http.get(url, headers=headers)
        elapsed = time.monotonic() - since
        if response.status_code in REFUSED or elapsed > 30:
            assert response.status_code in REFUSED, f"{url} still answers {response.status_code} after 30 s"
            assert response.headers["content-type"] == "application/problem+json"
            return elapsed
        await asyncio.sleep(0.1)


async def refusal_times(
    story: Story, urls: dict[str, str], headers: dict[str, dict[str, str]], since: float
) -> dict[str, float]:
    times = await asyncio.gather(
        *(seconds_until_refused(story.http, urls[service], headers[service], since) for service in SERVICES)
    )
    return dict(zip(SERVICES, times, strict=True))


async def test_a_removed_member_is_refused_by_every_service_within_seconds(story: Story) -> None:
    organisation_id, _, owner = await sign_up(story, "Gärtnerei Blum AG")
    email = f"bruno-{story.suffix}@example.com"
    account = {"email": email, "display_name": "Bruno Blum", "locale": "de", "password": PASSWORD}
    member_id = expect(await story.http.post(identity(story, "/v1/users"), json=account), 201)["user_id"]
    expect(
        await story.http.post(
            identity(story, f"/v1/organisations/{organisation_id}/members"),
            headers=bearer(owner),
            json={"email": email, "role": "administrator"},
        ),
        201,
    )
    member = bearer(await sign_in(story, email))
    urls = reads(story, organisation_id)
    await answered_by_all(story, urls, dict.fromkeys(SERVICES, member))

    removed = await story.http.delete(
        identity(story, f"/v1/organisations/{organisation_id}/members/{member_id}"), headers=bearer(owner)
    )
    since = time.monotonic()
    assert removed.status_code == 204, removed.text
    times = await refusal_times(story, urls, dict.fromkeys(SERVICES, member), since)

    print(f"removed member refused after (s): {times}")
    assert {service: seconds <= WITHIN_SECONDS for service, seconds in times.items()} == dict.fromkeys(
        SERVICES, True
    )


async def test_an_access_token_whose_api_token_was_revoked_is_refused_by_every_service_within_seconds(
    story: Story,
) -> None:
    organisation_id, _, owner = await sign_up(story, "Schreinerei Holz GmbH")
    tokens = identity(story, f"/v1/organisations/{organisation_id}/api-tokens")
    created = {}
    for service, permission in READS.items():
        body = {
            "name": f"{service} sync",
            "application": service,
            "permissions": [permission],
            "password": PASSWORD,
        }
        created[service] = expect(await story.http.post(tokens, headers=bearer(owner), json=body), 201)
    exchanged = {
        service: expect(
            await story.http.post(identity(story, "/v1/tokens/exchange"), json={"api_token": token["token"]}),
            200,
        )["access_token"]
        for service, token in created.items()
    }
    headers = {service: bearer(token) for service, token in exchanged.items()}
    urls = reads(story, organisation_id)
    await answered_by_all(story, urls, headers)

    for token in created.values():
        revoked = await story.http.delete(f"{tokens}/{token['api_token_id']}", headers=bearer(owner))
        assert revoked.status_code == 200, revoked.text
    since = time.monotonic()
    times = await refusal_times(story, urls, headers, since)

    print(f"access tokens of revoked API tokens refused after (s): {times}")
    assert {service: seconds <= WITHIN_SECONDS for service, seconds in times.items()} == dict.fromkeys(
        SERVICES, True
    )


async def test_a_token_issued_before_a_password_change_is_refused_by_every_service_within_seconds(
    story: Story,
) -> None:
    organisation_id, email, owner = await sign_up(story, "Metzgerei Keller AG")
    other_device = bearer(await sign_in(story, email))
    urls = reads(story, organisation_id)
    await answered_by_all(story, urls, dict.fromkeys(SERVICES, other_device))

    changed = await story.http.put(
        identity(story, "/v1/me/password"),
        headers=bearer(owner),
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    since = time.monotonic()
    assert changed.status_code == 204, changed.text
    times = await refusal_times(story, urls, dict.fromkeys(SERVICES, other_device), since)
    after = bearer(await sign_in(story, email, NEW_PASSWORD))

    print(f"tokens from before the password change refused after (s): {times}")
    assert {service: seconds <= WITHIN_SECONDS for service, seconds in times.items()} == dict.fromkeys(
        SERVICES, True
    )
    await answered_by_all(story, urls, dict.fromkeys(SERVICES, after))
