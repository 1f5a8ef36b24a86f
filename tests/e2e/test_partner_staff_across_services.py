"""The client's staff list, set in partnership, decides who of a partner reaches the client in billing
and wallet: each service in its own process, the list travelling as PartnerStaffChanged."""

from collections.abc import AsyncIterator

import pytest

from tessera_devtools.story import Organisation, Story, eventually, expect

pytestmark = pytest.mark.e2e
PASSWORD = "e2e partner staff battery staple"


@pytest.fixture
async def story(infra, suite) -> AsyncIterator[Story]:  # type: ignore[no-untyped-def]
    names = ("identity", "partnership", "billing", "wallet")
    driver = Story({name: suite.url(name) for name in names}, infra.kafka_bootstrap)
    yield driver
    await driver.close()


async def partner_member(story: Story, partner: Organisation) -> tuple[str, dict[str, str]]:
    """A member (not a manager) of the partner organisation: their user id and Authorization header."""
    email = f"mia-{story.suffix}@example.com"
    account = {"email": email, "display_name": "Mia Muster", "locale": "de", "password": PASSWORD}
    identity = story.urls["identity"]
    user_id: str = expect(await story.http.post(f"{identity}/v1/users", json=account), 201)["user_id"]
    expect(
        await story.http.post(
            f"{identity}/v1/organisations/{partner.organisation_id}/members",
            headers=partner.auth,
            json={"email": email, "role": "member"},
        ),
        201,
    )
    session = await story.http.post(f"{identity}/v1/sessions", json={"email": email, "password": PASSWORD})
    return user_id, {"authorization": f"Bearer {expect(session, 200)['access_token']}"}


def client_reads(story: Story, client: Organisation) -> dict[str, str]:
    organisation = f"/v1/organisations/{client.organisation_id}"
    return {
        "billing": f"{story.urls['billing']}{organisation}/subscriptions",
        "wallet": f"{story.urls['wallet']}{organisation}/wallets",
    }


async def statuses(
    story: Story, urls: dict[str, str], headers: dict[str, str], wanted: int
) -> dict[str, int]:
    """Each service's answer, once it is ``wanted`` (or the wait is over)."""
    found = {}
    for service, url in urls.items():
        response = await eventually(lambda u=url: story.http.get(u, headers=headers), accept={wanted})
        found[service] = response.status_code
    return found


async def set_staff(story: Story, partner: Organisation, relationship_id: str, user_ids: list[str]) -> None:
    url = (
        f"{story.urls['partnership']}/v1/organisations/{partner.organisation_id}/clients/"
        f"{relationship_id}/staff"
    )
    response = await eventually(
        lambda: story.http.put(url, headers=partner.auth, json={"user_ids": user_ids}), accept={200}
    )
    expect(response, 200)


async def test_a_partner_member_reaches_the_client_in_billing_and_wallet_only_while_on_its_staff_list(
    story: Story,
) -> None:
    client = await story.register("Bäckerei Kunde AG", "CH", "de")
    partner = await story.register("Agentur Partner GmbH", "CH", "de")
    member_id, member = await partner_member(story, partner)
    relationship = await story.grant_full_access(client, partner)
    urls = client_reads(story, client)

    by_the_partner_s_manager = await statuses(story, urls, partner.auth, 200)
    before_listed = {
        service: (await story.http.get(url, headers=member)).status_code for service, url in urls.items()
    }
    await set_staff(story, partner, relationship["relationship_id"], [member_id])
    once_listed = await statuses(story, urls, member, 200)
    await set_staff(story, partner, relationship["relationship_id"], [])
    once_unlisted = await statuses(story, urls, member, 404)

    assert by_the_partner_s_manager == {"billing": 200, "wallet": 200}
    assert before_listed == {"billing": 404, "wallet": 404}
    assert once_listed == {"billing": 200, "wallet": 200}
    assert once_unlisted == {"billing": 404, "wallet": 404}
