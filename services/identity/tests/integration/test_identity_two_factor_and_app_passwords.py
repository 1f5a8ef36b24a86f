"""Signing in with 2FA on real PostgreSQL and Kafka: TOTP, single-use backup codes, recovery by an
identity operator after a lost device, and app passwords that mail clients use even with 2FA on."""

import asyncio
import time
from typing import Any

import jwt
import pytest
from identity_harness import OPERATOR_ID, PASSWORD, Person, problem, sign_up
from sqlalchemy import text

from tessera_devtools.testing import KafkaProbe, RunningService, TokenIssuer, eventually
from tessera_events.identity import SECURITY_ALERTS, SecurityAlertRaised
from tessera_identity.adapters.totp import code_at
from tessera_identity.config import IdentitySettings

pytestmark = pytest.mark.integration
Identity = RunningService[IdentitySettings]
DOCUMENT = {"kind": "passport", "filename": "passport.jpg", "sha256": "ab" * 32}


async def turn_two_factor_on(identity: Identity, person: Person) -> tuple[str, list[str]]:
    """Enrol and confirm; the TOTP secret and the backup codes."""
    http = identity.http
    enrolment = await http.post("/v1/me/two-factor/enrolment", headers=person.auth)
    assert enrolment.status_code == 200, enrolment.text
    secret = enrolment.json()["secret"]
    confirmed = await http.post(
        "/v1/me/two-factor/confirmation", headers=person.auth, json={"code": code_at(secret, time.time())}
    )
    assert confirmed.status_code == 200, confirmed.text
    async with identity.runtime.unit_of_work() as uow:
        stored = await uow.session.scalar(
            text("SELECT totp_secret FROM users WHERE id = :id"), {"id": person.user_id}
        )
    assert stored.startswith("fernet:")  # sealed at rest
    assert secret not in stored
    return secret, confirmed.json()["backup_codes"]


async def operator_headers(identity: Identity) -> dict[str, str]:
    """The Authorization header of the identity operator, once identity trusts the key it is signed with."""
    issuer = TokenIssuer(identity.settings.database_url)
    await issuer.trust()
    headers = issuer.headers({}, OPERATOR_ID)
    await eventually(
        lambda: identity.http.get("/v1/operator/two-factor/recovery-requests", headers=headers),
        until=lambda r: r.status_code == 200,
        what="identity trusting the operator's token",
    )
    return headers


async def session(identity: Identity, email: str, **extra: Any) -> Any:
    """POST /v1/sessions with the standard password."""
    return await identity.http.post("/v1/sessions", json={"email": email, "password": PASSWORD, **extra})


async def test_with_2fa_on_sign_in_asks_for_a_code_and_each_code_works_once(
    identity_with_operator: Identity, kafka_probe: KafkaProbe, suffix: str
) -> None:
    http = identity_with_operator.http
    _, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    enrolment = await http.post("/v1/me/two-factor/enrolment", headers=anna.auth)
    secret = enrolment.json()["secret"]
    assert enrolment.json()["otpauth_uri"].startswith("otpauth://totp/Tessera:")
    wrong = await http.post("/v1/me/two-factor/confirmation", headers=anna.auth, json={"code": "000000"})
    confirmed = await http.post(
        "/v1/me/two-factor/confirmation", headers=anna.auth, json={"code": code_at(secret, time.time())}
    )
    backup_codes = confirmed.json()["backup_codes"]
    next_code = code_at(secret, time.time() + 30)

    without_code = await session(identity_with_operator, anna.email)
    with_code = await session(identity_with_operator, anna.email, totp_code=next_code)
    replayed = await session(identity_with_operator, anna.email, totp_code=next_code)
    with_backup = await session(identity_with_operator, anna.email, backup_code=backup_codes[0].upper())
    backup_again = await session(identity_with_operator, anna.email, backup_code=backup_codes[0])
    disable_wrong_password = await http.post(
        "/v1/me/two-factor/disable",
        headers=anna.auth,
        json={"password": "not the password", "code": backup_codes[1]},
    )
    disabled = await http.post(
        "/v1/me/two-factor/disable", headers=anna.auth, json={"password": PASSWORD, "code": backup_codes[1]}
    )
    after_disable = await session(identity_with_operator, anna.email)

    assert "does not match the new authenticator" in problem(wrong, 422)["detail"]
    assert (await http.get("/v1/me", headers=anna.auth)).json()["two_factor_enabled"] is False
    assert len(set(backup_codes)) == 10
    assert problem(without_code, 401)["two_factor_required"] is True
    assert with_code.status_code == 200, with_code.text
    assert "already used" in problem(replayed, 401)["detail"]
    assert with_backup.status_code == 200, with_backup.text
    problem(backup_again, 401)
    problem(disable_wrong_password, 401)
    assert disabled.status_code == 204
    assert after_disable.status_code == 200
    alerts = await kafka_probe.collect(SECURITY_ALERTS.name, lambda e: e.subject == anna.user_id, count=2)
    assert [a.data.kind for a in alerts] == ["two_factor_enabled", "two_factor_disabled"]


async def test_a_lost_device_is_recovered_after_an_operator_approves_the_documents(
    identity_with_operator: Identity, kafka_probe: KafkaProbe, suffix: str
) -> None:
    http = identity_with_operator.http
    _, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    await turn_two_factor_on(identity_with_operator, anna)
    as_operator = await operator_headers(identity_with_operator)
    recovery = {"email": anna.email, "password": PASSWORD, "documents": [DOCUMENT], "message": "phone lost"}

    wrong_password = await http.post(
        "/v1/two-factor/recovery-requests", json={**recovery, "password": "nope nope nope"}
    )
    filed = await http.post("/v1/two-factor/recovery-requests", json=recovery)
    twice = await http.post("/v1/two-factor/recovery-requests", json=recovery)
    not_an_operator = await http.get("/v1/operator/two-factor/recovery-requests", headers=anna.auth)
    pending = await http.get("/v1/operator/two-factor/recovery-requests", headers=as_operator)
    request_id = filed.json()["request_id"]
    decision_url = f"/v1/operator/two-factor/recovery-requests/{request_id}/decision"
    anna_decides = await http.post(decision_url, headers=anna.auth, json={"approve": True})
    approved = await http.post(decision_url, headers=as_operator, json={"approve": True})
    old_session = await http.get("/v1/me/app-passwords", headers=anna.auth)
    decided_again = await http.post(decision_url, headers=as_operator, json={"approve": False, "reason": "x"})

    problem(wrong_password, 401)
    assert filed.status_code == 202, filed.text
    problem(twice, 409)
    problem(not_an_operator, 403)
    assert [r["request_id"] for r in pending.json()] == [request_id]
    assert pending.json()[0]["documents"] == [DOCUMENT]
    problem(anna_decides, 403)
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by_user_id"] == str(OPERATOR_ID)
    problem(old_session, 401)  # whoever has the lost device loses the sessions too
    problem(decided_again, 409)
    assert (await session(identity_with_operator, anna.email)).status_code == 200  # 2FA is off again
    alerts = await kafka_probe.collect(SECURITY_ALERTS.name, lambda e: e.subject == anna.user_id, count=3)
    assert [a.data.kind for a in alerts] == ["two_factor_enabled", "recovery_requested", "recovery_approved"]


async def test_a_rejected_recovery_keeps_2fa_and_tells_the_person_why(
    identity_with_operator: Identity, kafka_probe: KafkaProbe, suffix: str
) -> None:
    http = identity_with_operator.http
    _, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    await turn_two_factor_on(identity_with_operator, anna)
    as_operator = await operator_headers(identity_with_operator)
    filed = await http.post(
        "/v1/two-factor/recovery-requests",
        json={"email": anna.email, "password": PASSWORD, "documents": [DOCUMENT]},
    )
    decision_url = f"/v1/operator/two-factor/recovery-requests/{filed.json()['request_id']}/decision"

    without_reason = await http.post(decision_url, headers=as_operator, json={"approve": False})
    rejected = await http.post(
        decision_url, headers=as_operator, json={"approve": False, "reason": "the selfie does not match"}
    )

    problem(without_reason, 409)
    assert rejected.json()["status"] == "rejected"
    assert problem(await session(identity_with_operator, anna.email), 401)["two_factor_required"] is True
    rejection = await kafka_probe.first(
        SECURITY_ALERTS.name, lambda e: e.subject == anna.user_id and e.data.kind == "recovery_rejected"
    )
    assert isinstance(rejection.data, SecurityAlertRaised)
    assert rejection.data.detail == "the selfie does not match"


async def test_a_mail_server_signs_in_with_an_app_password_even_with_2fa_on_until_it_is_revoked(
    identity_with_operator: Identity, kafka_probe: KafkaProbe, suffix: str
) -> None:
    http = identity_with_operator.http
    _, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    await turn_two_factor_on(identity_with_operator, anna)
    created = await http.post("/v1/me/app-passwords", headers=anna.auth, json={"name": "Thunderbird laptop"})
    secret = created.json()["password"]

    client = await http.post(
        "/v1/app-passwords/authenticate", json={"email": anna.email.upper(), "password": secret}
    )
    listed = await http.get("/v1/me/app-passwords", headers=anna.auth)
    app_auth = {"authorization": f"Bearer {client.json()['access_token']}"}
    me_with_app_token = await http.get("/v1/me", headers=app_auth)
    manages_with_app_token = await http.post(
        "/v1/me/app-passwords", headers=app_auth, json={"name": "sneaky"}
    )
    revoked = await http.delete(
        f"/v1/me/app-passwords/{created.json()['app_password_id']}", headers=anna.auth
    )
    after_revoke = await http.post(
        "/v1/app-passwords/authenticate", json={"email": anna.email, "password": secret}
    )
    wrong = await http.post(
        "/v1/app-passwords/authenticate", json={"email": anna.email, "password": PASSWORD}
    )

    assert created.status_code == 201, created.text
    assert client.status_code == 200, client.text
    assert client.json()["user_id"] == anna.user_id
    [listing] = listed.json()
    assert listing["name"] == "Thunderbird laptop"
    assert listing["last_used_at"] is not None
    assert "password" not in listing
    # The token is for the hosting provider's mail, calendar and contacts servers: no Tessera route takes it.
    claims = jwt.decode(client.json()["access_token"], options={"verify_signature": False})
    assert (claims["amr"], claims["orgs"], claims["scope"]) == (
        ["app_password"],
        {},
        "calendar contacts mail",
    )
    assert "mail, calendar and contacts" in problem(me_with_app_token, 403)["detail"]
    problem(manages_with_app_token, 403)
    assert revoked.status_code == 204
    problem(after_revoke, 401)
    problem(wrong, 401)
    assert (await http.get("/v1/me/app-passwords", headers=anna.auth)).json() == []
    alert = await kafka_probe.first(
        SECURITY_ALERTS.name, lambda e: e.subject == anna.user_id and e.data.kind == "app_password_created"
    )
    assert alert.data.detail == "Thunderbird laptop"


async def test_new_backup_codes_replace_the_old_ones(
    identity_with_operator: Identity, kafka_probe: KafkaProbe, suffix: str
) -> None:
    http = identity_with_operator.http
    _, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    secret, old_codes = await turn_two_factor_on(identity_with_operator, anna)

    without_code = await http.post(
        "/v1/me/two-factor/backup-codes", headers=anna.auth, json={"password": PASSWORD, "code": "000000"}
    )
    regenerated = await http.post(
        "/v1/me/two-factor/backup-codes",
        headers=anna.auth,
        json={"password": PASSWORD, "code": code_at(secret, time.time() + 30)},
    )
    new_codes = regenerated.json()["backup_codes"]
    with_old = await session(identity_with_operator, anna.email, backup_code=old_codes[2])
    with_new = await session(identity_with_operator, anna.email, backup_code=new_codes[0])

    problem(without_code, 401)
    assert regenerated.status_code == 200, regenerated.text
    assert set(new_codes).isdisjoint(old_codes)
    problem(with_old, 401)
    assert with_new.status_code == 200
    await kafka_probe.first(
        SECURITY_ALERTS.name,
        lambda e: e.subject == anna.user_id and e.data.kind == "backup_codes_regenerated",
    )


async def test_one_code_sent_by_two_sign_ins_at_once_opens_one_session(
    identity_with_operator: Identity, suffix: str
) -> None:
    http = identity_with_operator.http
    _, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    secret, backup_codes = await turn_two_factor_on(identity_with_operator, anna)
    code = code_at(secret, time.time() + 30)

    by_code = await asyncio.gather(
        *(session(identity_with_operator, anna.email, totp_code=code) for _ in range(3))
    )
    by_backup = await asyncio.gather(
        *(session(identity_with_operator, anna.email, backup_code=backup_codes[3]) for _ in range(3))
    )

    assert sorted(r.status_code for r in by_code) == [200, 401, 401]
    assert sorted(r.status_code for r in by_backup) == [200, 401, 401]


async def test_after_five_wrong_codes_even_the_right_one_waits_for_the_lockout_to_end(
    identity_with_operator: Identity, suffix: str
) -> None:
    http = identity_with_operator.http
    _, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    secret, _ = await turn_two_factor_on(identity_with_operator, anna)

    wrong = [await session(identity_with_operator, anna.email, totp_code="000000") for _ in range(5)]
    right = await session(identity_with_operator, anna.email, totp_code=code_at(secret, time.time() + 30))

    assert [r.status_code for r in wrong] == [401] * 5
    locked = problem(right, 429)
    assert "too many wrong two-factor codes" in locked["detail"]
    assert 800 < int(right.headers["retry-after"]) <= 900
