"""API tokens on real PostgreSQL and Kafka: made after confirming the password, exchanged for scoped
access tokens, revoked, and swept after a year unused, with the owner warned once a month before."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from identity_harness import PASSWORD, Person, new_person, problem, sign_up
from sqlalchemy import text

from tessera_devtools.testing import KafkaProbe, RunningService
from tessera_events.identity import (
    API_TOKENS,
    SECURITY_ALERTS,
    ApiTokenDeactivated,
    ApiTokenDeactivationWarned,
)
from tessera_identity.adapters.secrets import SecretBox
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.config import IdentitySettings
from tessera_identity.service_layer.api_tokens import exchange_api_token, sweep_api_tokens
from tessera_identity.service_layer.attempts import Throttle
from tessera_identity.service_layer.issuing import TokenPolicy

pytestmark = pytest.mark.integration
Identity = RunningService[IdentitySettings]
TOKEN = {
    "name": "deploy pipeline",
    "application": "billing",
    "permissions": ["invoices:read"],
    "password": PASSWORD,
}


class ShiftedClock:
    """The time it will be ``days`` from now."""

    def __init__(self, days: float) -> None:
        self.shift = timedelta(days=days)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.shift


async def create_token(identity: Identity, org: str, person: Person, **overrides: Any) -> dict[str, Any]:
    response = await identity.http.post(
        f"/v1/organisations/{org}/api-tokens", headers=person.auth, json={**TOKEN, **overrides}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_an_api_token_is_exchanged_for_a_scoped_access_token_until_it_is_revoked(
    identity_with_operator: Identity, kafka_probe: KafkaProbe, suffix: str
) -> None:
    http = identity_with_operator.http
    org, anna = await sign_up(http, f"anna-{suffix}@meier.example")

    wrong_password = await http.post(
        f"/v1/organisations/{org}/api-tokens",
        headers=anna.auth,
        json={**TOKEN, "password": "not my password"},
    )
    bad_permission = await http.post(
        f"/v1/organisations/{org}/api-tokens",
        headers=anna.auth,
        json={**TOKEN, "permissions": ["everything"]},
    )
    not_in_catalogue = await http.post(
        f"/v1/organisations/{org}/api-tokens",
        headers=anna.auth,
        json={**TOKEN, "permissions": ["invoices:read", "invoices:write", "rockets:launch"]},
    )
    created = await create_token(identity_with_operator, org, anna)
    exchanged = await http.post("/v1/tokens/exchange", json={"api_token": created["token"]})
    listed = await http.get(f"/v1/organisations/{org}/api-tokens", headers=anna.auth)
    revoked = await http.delete(
        f"/v1/organisations/{org}/api-tokens/{created['api_token_id']}", headers=anna.auth
    )
    after_revoke = await http.post("/v1/tokens/exchange", json={"api_token": created["token"]})
    unknown = await http.post("/v1/tokens/exchange", json={"api_token": "tsr_made-up"})

    problem(wrong_password, 401)
    problem(bad_permission, 422)
    refused = problem(not_in_catalogue, 422)
    assert refused["unknown_permissions"] == ["invoices:write", "rockets:launch"]
    assert {"invoices:read", "subscriptions:write", "tags:read"} <= set(refused["known_permissions"])
    assert "billing has no permission invoices:write, rockets:launch" in refused["detail"]
    assert created["token"].startswith("tsr_")
    assert created["expires_at"] is None
    assert exchanged.status_code == 200, exchanged.text
    claims = jwt.decode(exchanged.json()["access_token"], options={"verify_signature": False})
    assert claims["sub"] == anna.user_id
    assert claims["orgs"] == {org: "legal_representative"}
    assert (claims["scope"], claims["app"], claims["amr"]) == (
        "billing:invoices:read",
        "billing",
        ["api_token"],
    )
    assert (claims["api_token_id"], len(claims["jti"])) == (created["api_token_id"], 36)
    [listing] = listed.json()
    assert listing["last_used_at"] is not None
    assert "token" not in listing
    assert revoked.json()["deactivation_reason"] == "revoked"
    assert "revoked" in problem(after_revoke, 401)["detail"]
    problem(unknown, 401)
    deactivated = await kafka_probe.first(API_TOKENS.name, lambda e: e.subject == created["api_token_id"])
    assert isinstance(deactivated.data, ApiTokenDeactivated)
    assert deactivated.data.reason == "revoked"
    alert = await kafka_probe.first(
        SECURITY_ALERTS.name, lambda e: e.subject == anna.user_id and e.data.kind == "api_token_created"
    )
    assert alert.data.detail == "deploy pipeline"


async def test_members_see_and_revoke_their_own_tokens_administrators_all_of_them(
    identity_with_operator: Identity, suffix: str
) -> None:
    http = identity_with_operator.http
    org, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    bruno = await new_person(http, f"bruno-{suffix}@meier.example")
    outsider = await new_person(http, f"olga-{suffix}@other.example")
    await http.post(
        f"/v1/organisations/{org}/members", headers=anna.auth, json={"email": bruno.email, "role": "member"}
    )
    annas = await create_token(identity_with_operator, org, anna, name="anna's")
    brunos = await create_token(identity_with_operator, org, bruno, name="bruno's")

    bruno_sees = await http.get(f"/v1/organisations/{org}/api-tokens", headers=bruno.auth)
    anna_sees = await http.get(f"/v1/organisations/{org}/api-tokens", headers=anna.auth)
    bruno_revokes_annas = await http.delete(
        f"/v1/organisations/{org}/api-tokens/{annas['api_token_id']}", headers=bruno.auth
    )
    outsider_creates = await http.post(
        f"/v1/organisations/{org}/api-tokens", headers=outsider.auth, json=TOKEN
    )
    anna_revokes_brunos = await http.delete(
        f"/v1/organisations/{org}/api-tokens/{brunos['api_token_id']}", headers=anna.auth
    )

    assert [t["name"] for t in bruno_sees.json()] == ["bruno's"]
    assert {t["name"] for t in anna_sees.json()} == {"anna's", "bruno's"}
    problem(bruno_revokes_annas, 403)
    problem(outsider_creates, 404)
    assert anna_revokes_brunos.status_code == 200


async def test_a_token_with_an_expiry_is_refused_once_it_has_passed(
    identity_with_operator: Identity, kafka_probe: KafkaProbe, suffix: str
) -> None:
    http = identity_with_operator.http
    org, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    in_the_past = await http.post(
        f"/v1/organisations/{org}/api-tokens",
        headers=anna.auth,
        json={**TOKEN, "expires_at": "2020-01-01T00:00:00Z"},
    )
    soon = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    created = await create_token(identity_with_operator, org, anna, expires_at=soon)

    before = await http.post("/v1/tokens/exchange", json={"api_token": created["token"]})
    await asyncio.sleep(2.5)
    after = await http.post("/v1/tokens/exchange", json={"api_token": created["token"]})

    problem(in_the_past, 422)
    assert before.status_code == 200
    assert "expired" in problem(after, 401)["detail"]
    # The sweep (run here rather than waiting for the job's next round) tells the owner it has ended.
    await sweep_api_tokens(identity_with_operator.runtime.unit_of_work())
    ended = await kafka_probe.first(API_TOKENS.name, lambda e: e.subject == created["api_token_id"])
    assert isinstance(ended.data, ApiTokenDeactivated)
    assert ended.data.reason == "expired"


async def test_an_unused_token_is_warned_once_then_deactivated_once_by_the_sweep(
    identity_with_operator: Identity, kafka_probe: KafkaProbe, suffix: str
) -> None:
    http = identity_with_operator.http
    runtime = identity_with_operator.runtime
    org, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    created = await create_token(identity_with_operator, org, anna)

    settings = identity_with_operator.settings
    policy = TokenPolicy(
        settings.token_issuer,
        settings.token_audience,
        timedelta(seconds=settings.access_token_lifetime_seconds),
    )

    box = SecretBox([key.get_secret_value() for key in settings.encryption_keys])

    def in_days(days: float) -> IdentityUnitOfWork:
        return IdentityUnitOfWork(
            runtime.database, source="/tessera/identity", clock=ShiftedClock(days), box=box
        )

    early = await sweep_api_tokens(in_days(334))
    warned = await asyncio.gather(*(sweep_api_tokens(in_days(336)) for _ in range(3)))
    warned_again = await sweep_api_tokens(in_days(340))
    throttle = Throttle(settings.attempt_limits, address=None)
    used = await exchange_api_token(in_days(340), policy, created["token"], throttle)
    # That use started the token's year again: a sweep at day 366 has nothing to do...
    used_recently = await sweep_api_tokens(in_days(366))
    # ...and a year after that use, it is warned again, then deactivated a month later.
    await sweep_api_tokens(in_days(340 + 336))
    deactivated = await asyncio.gather(*(sweep_api_tokens(in_days(340 + 366)) for _ in range(3)))
    refused = await http.post("/v1/tokens/exchange", json={"api_token": created["token"]})

    assert (early, sorted(warned), warned_again, used_recently) == (0, [0, 0, 1], 0, 0)
    assert used.expires_in == 300
    assert sorted(deactivated) == [0, 0, 1]
    problem(refused, 401)
    async with runtime.unit_of_work() as uow:
        counts = dict(
            (
                await uow.session.execute(
                    text("SELECT event_type, count(*) FROM tessera_outbox GROUP BY event_type")
                )
            ).all()
        )
    assert counts[ApiTokenDeactivationWarned.EVENT_TYPE] == 2
    assert counts[ApiTokenDeactivated.EVENT_TYPE] == 1
    events = await kafka_probe.collect(
        API_TOKENS.name, lambda e: e.subject == created["api_token_id"], count=3
    )
    first_warning, second_warning, deactivation = (e.data for e in events)
    assert isinstance(first_warning, ApiTokenDeactivationWarned)
    made = datetime.fromisoformat(created["created_at"])
    assert first_warning.deactivates_on == (made + timedelta(days=366)).date()
    assert isinstance(second_warning, ApiTokenDeactivationWarned)
    assert isinstance(deactivation, ApiTokenDeactivated)
    assert (deactivation.reason, deactivation.token_name) == ("unused", "deploy pipeline")
