"""What a token may do at identity, and how fast identity takes it back, on real PostgreSQL and Kafka.

An access token exchanged for an API token may do what its permissions name and nothing more; a
token for another application is refused; revoking the API token, removing its owner, changing the
password or signing out everywhere refuse the earlier tokens at once, and are announced.
"""

from typing import Any

import pytest
from identity_harness import PASSWORD, Person, new_person, problem, sign_in, sign_up
from sqlalchemy import text

from tessera_devtools.testing import KafkaProbe, RunningService
from tessera_events.identity import USERS, SessionsRevoked
from tessera_identity.config import IdentitySettings

pytestmark = pytest.mark.integration
Identity = RunningService[IdentitySettings]


async def api_token(identity: Identity, org: str, person: Person, application: str, *permissions: str) -> str:
    """An access token exchanged for a new API token of ``person``."""
    created = await identity.http.post(
        f"/v1/organisations/{org}/api-tokens",
        headers=person.auth,
        json={"name": "script", "application": application, "permissions": permissions, "password": PASSWORD},
    )
    assert created.status_code == 201, created.text
    exchanged = await identity.http.post("/v1/tokens/exchange", json={"api_token": created.json()["token"]})
    assert exchanged.status_code == 200, exchanged.text
    token: str = exchanged.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def test_a_members_read_token_lists_members_but_changes_nothing_and_a_billing_token_is_refused(
    identity_with_operator: Identity, suffix: str
) -> None:
    http = identity_with_operator.http
    org, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    reader = bearer(await api_token(identity_with_operator, org, anna, "identity", "members:read"))
    billing = bearer(await api_token(identity_with_operator, org, anna, "billing", "invoices:read"))

    members = await http.get(f"/v1/organisations/{org}/members", headers=reader)
    patched = await http.patch(f"/v1/organisations/{org}", headers=reader, json={"name": "Taken Over AG"})
    added = await http.post(
        f"/v1/organisations/{org}/members", headers=reader, json={"email": anna.email, "role": "member"}
    )
    own_account = await http.get("/v1/me", headers=reader)
    with_billing_token = await http.get(f"/v1/organisations/{org}/members", headers=billing)
    profile = await http.get(f"/v1/organisations/{org}", headers=anna.auth)

    assert [m["user_id"] for m in members.json()] == [anna.user_id]
    assert problem(patched, 403)["missing_permission"] == "identity:organisations:write"
    assert problem(added, 403)["missing_permission"] == "identity:members:write"
    problem(own_account, 403)
    refused = problem(with_billing_token, 403)
    assert refused["missing_permission"] == "identity:members:read"
    assert "this token is for billing" in refused["detail"]
    assert profile.json()["name"] == "Meier Hosting GmbH"


async def test_an_access_token_from_a_revoked_api_token_is_refused_at_once(
    identity_with_operator: Identity, suffix: str
) -> None:
    http = identity_with_operator.http
    org, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    created = await http.post(
        f"/v1/organisations/{org}/api-tokens",
        headers=anna.auth,
        json={
            "name": "sync",
            "application": "identity",
            "permissions": ["members:read"],
            "password": PASSWORD,
        },
    )
    exchanged = await http.post("/v1/tokens/exchange", json={"api_token": created.json()["token"]})
    script = bearer(exchanged.json()["access_token"])

    before = await http.get(f"/v1/organisations/{org}/members", headers=script)
    await http.delete(
        f"/v1/organisations/{org}/api-tokens/{created.json()['api_token_id']}", headers=anna.auth
    )
    after = await http.get(f"/v1/organisations/{org}/members", headers=script)

    assert before.status_code == 200
    assert "was revoked" in problem(after, 401)["detail"]
    async with identity_with_operator.runtime.unit_of_work() as uow:
        recorded = await uow.session.scalar(
            text("SELECT count(*) FROM tessera_revoked_api_tokens WHERE api_token_id = :id"),
            {"id": created.json()["api_token_id"]},
        )
    assert recorded == 1


async def test_the_api_token_of_a_removed_member_is_no_longer_exchanged(
    identity_with_operator: Identity, suffix: str
) -> None:
    http = identity_with_operator.http
    org, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    bruno = await new_person(http, f"bruno-{suffix}@meier.example")
    await http.post(
        f"/v1/organisations/{org}/members",
        headers=anna.auth,
        json={"email": bruno.email, "role": "administrator"},
    )
    created = await http.post(
        f"/v1/organisations/{org}/api-tokens",
        headers=bruno.auth,
        json={
            "name": "bruno's",
            "application": "identity",
            "permissions": ["members:read"],
            "password": PASSWORD,
        },
    )
    first = await http.post("/v1/tokens/exchange", json={"api_token": created.json()["token"]})

    removed = await http.delete(f"/v1/organisations/{org}/members/{bruno.user_id}", headers=anna.auth)
    again = await http.post("/v1/tokens/exchange", json={"api_token": created.json()["token"]})
    earlier = await http.get(f"/v1/organisations/{org}/members", headers=bearer(first.json()["access_token"]))

    assert removed.status_code == 204
    assert "no longer belongs" in problem(again, 403)["detail"]
    problem(earlier, 404)
    async with identity_with_operator.runtime.unit_of_work() as uow:
        change = (
            await uow.session.execute(
                text(
                    "SELECT role FROM tessera_membership_changes "
                    "WHERE user_id = :user AND organisation_id = :org"
                ),
                {"user": bruno.user_id, "org": org},
            )
        ).one()
    assert change.role is None


async def test_a_password_change_ends_every_session_and_revokes_the_app_passwords(
    identity_with_operator: Identity, kafka_probe: KafkaProbe, suffix: str
) -> None:
    http = identity_with_operator.http
    _, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    other_device = await sign_in(http, anna.email)
    app_password = (await http.post("/v1/me/app-passwords", headers=anna.auth, json={"name": "phone"})).json()
    mail: dict[str, Any] = {"email": anna.email, "password": app_password["password"]}
    before = await http.post("/v1/app-passwords/authenticate", json=mail)

    changed = await http.put(
        "/v1/me/password",
        headers=anna.auth,
        json={"current_password": PASSWORD, "new_password": "a new good password"},
    )
    with_earlier_token = await http.get("/v1/me", headers=bearer(other_device))
    with_app_password = await http.post("/v1/app-passwords/authenticate", json=mail)
    fresh = await sign_in(http, anna.email, "a new good password")

    assert before.status_code == 200
    assert changed.status_code == 204
    assert "session ended" in problem(with_earlier_token, 401)["detail"]
    problem(with_app_password, 401)
    assert (await http.get("/v1/me/app-passwords", headers=bearer(fresh))).json() == []
    announced = await kafka_probe.first(
        USERS.name, lambda e: e.subject == anna.user_id and isinstance(e.data, SessionsRevoked)
    )
    assert announced.data.reason == "password_changed"


async def test_signing_out_everywhere_refuses_every_earlier_token_but_not_the_next_sign_in(
    identity_with_operator: Identity, kafka_probe: KafkaProbe, suffix: str
) -> None:
    http = identity_with_operator.http
    _, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    laptop = await sign_in(http, anna.email)

    signed_out = await http.post("/v1/me/sessions/revocation", headers=anna.auth)
    from_the_laptop = await http.get("/v1/me", headers=bearer(laptop))
    next_session = await http.post("/v1/sessions", json={"email": anna.email, "password": PASSWORD})
    with_it = await http.get("/v1/me", headers=bearer(next_session.json()["access_token"]))

    assert signed_out.status_code == 204
    problem(from_the_laptop, 401)
    assert with_it.status_code == 200, with_it.text
    announced = await kafka_probe.first(
        USERS.name, lambda e: e.subject == anna.user_id and isinstance(e.data, SessionsRevoked)
    )
    assert announced.data.reason == "signed_out_everywhere"
    assert announced.time == announced.data.revoked_at
