"""A person's own account on real PostgreSQL and Kafka: profile and e-mail changes others hear about,
and a password change the person is alerted to."""

import pytest
from identity_harness import PASSWORD, new_person, problem, sign_in, sign_up

from tessera_devtools.testing import KafkaProbe, RunningService
from tessera_events.identity import SECURITY_ALERTS, USERS, UserProfileChanged
from tessera_identity.config import IdentitySettings

pytestmark = pytest.mark.integration
Identity = RunningService[IdentitySettings]


async def test_a_new_e_mail_address_needs_the_password_and_is_announced_with_the_old_one(
    identity_with_operator: Identity, kafka_probe: KafkaProbe, suffix: str
) -> None:
    http = identity_with_operator.http
    _, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    bruno = await new_person(http, f"bruno-{suffix}@meier.example")
    new_email = f"anna.huber-{suffix}@meier.example"

    without_password = await http.patch("/v1/me", headers=anna.auth, json={"email": new_email})
    taken = await http.patch(
        "/v1/me", headers=anna.auth, json={"email": bruno.email.upper(), "current_password": PASSWORD}
    )
    changed = await http.patch(
        "/v1/me",
        headers=anna.auth,
        json={"email": new_email, "display_name": "Anna Huber", "locale": "fr", "current_password": PASSWORD},
    )
    renamed_only = await http.patch("/v1/me", headers=anna.auth, json={"display_name": "Anna M. Huber"})

    problem(without_password, 401)
    problem(taken, 409)
    assert changed.json() == {
        "user_id": anna.user_id,
        "email": new_email,
        "display_name": "Anna Huber",
        "locale": "fr",
    }
    assert renamed_only.status_code == 200
    assert await sign_in(http, new_email)
    events = await kafka_probe.collect(
        USERS.name, lambda e: e.subject == anna.user_id and isinstance(e.data, UserProfileChanged), count=2
    )
    first, second = (e.data for e in events)
    assert (first.email, first.previous_email, first.locale) == (new_email, anna.email, "fr")
    assert (second.display_name, second.previous_email) == ("Anna M. Huber", None)


async def test_changing_the_password_needs_the_current_one_and_alerts_the_person(
    identity_with_operator: Identity, kafka_probe: KafkaProbe, suffix: str
) -> None:
    http = identity_with_operator.http
    _, anna = await sign_up(http, f"anna-{suffix}@meier.example")

    wrong = await http.put(
        "/v1/me/password",
        headers=anna.auth,
        json={"current_password": "not it at all", "new_password": "x" * 12},
    )
    too_short = await http.put(
        "/v1/me/password", headers=anna.auth, json={"current_password": PASSWORD, "new_password": "short"}
    )
    changed = await http.put(
        "/v1/me/password",
        headers=anna.auth,
        json={"current_password": PASSWORD, "new_password": "a new good password"},
    )
    old = await http.post("/v1/sessions", json={"email": anna.email, "password": PASSWORD})

    problem(wrong, 401)
    problem(too_short, 422)
    assert changed.status_code == 204
    problem(old, 401)
    assert await sign_in(http, anna.email, "a new good password")
    alert = await kafka_probe.first(
        SECURITY_ALERTS.name, lambda e: e.subject == anna.user_id and e.data.kind == "password_changed"
    )
    assert alert.data.detail is None
