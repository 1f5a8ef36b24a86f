"""Guessing passwords does not pay: failed sign-ins are counted per account and per client address in
identity's database, and past the limit every try is refused unchecked (429 with Retry-After)."""

import asyncio

import pytest
from identity_harness import PASSWORD, problem, sign_up

from tessera_devtools.testing import RunningService
from tessera_identity.config import IdentitySettings

pytestmark = pytest.mark.integration
Identity = RunningService[IdentitySettings]


async def test_the_sixth_wrong_password_in_a_minute_is_refused_and_so_is_the_right_one(
    identity_with_operator: Identity, suffix: str
) -> None:
    http = identity_with_operator.http
    _, anna = await sign_up(http, f"anna-{suffix}@meier.example")

    wrong = [
        await http.post("/v1/sessions", json={"email": anna.email, "password": f"guess {n}"})
        for n in range(6)
    ]
    right = await http.post("/v1/sessions", json={"email": anna.email.upper(), "password": PASSWORD})

    assert [r.status_code for r in wrong] == [401] * 5 + [429]
    locked = problem(wrong[5], 429)
    assert "too many failed sign-ins for this account" in locked["detail"]
    assert 0 < int(wrong[5].headers["retry-after"]) <= 60
    problem(right, 429)


async def test_guesses_sent_all_at_once_get_no_more_tries_than_guesses_sent_one_by_one(
    identity_with_operator: Identity, suffix: str
) -> None:
    http = identity_with_operator.http
    _, anna = await sign_up(http, f"anna-{suffix}@meier.example")

    at_once = await asyncio.gather(
        *(http.post("/v1/sessions", json={"email": anna.email, "password": f"guess {n}"}) for n in range(12))
    )

    assert sorted(r.status_code for r in at_once) == [401] * 5 + [429] * 7


async def test_one_address_gets_twenty_failures_a_minute_whichever_accounts_it_tries(
    identity_with_operator: Identity, suffix: str
) -> None:
    http = identity_with_operator.http
    _, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    # Four wrong passwords for each of five made-up addresses: the account limit is never reached.
    guesses = [f"nobody-{n}-{suffix}@meier.example" for n in range(5) for _ in range(4)]

    failures = [
        await http.post("/v1/sessions", json={"email": email, "password": "guess"}) for email in guesses
    ]
    from_the_same_address = await http.post("/v1/sessions", json={"email": anna.email, "password": PASSWORD})
    from_elsewhere = await http.post(
        "/v1/sessions",
        json={"email": anna.email, "password": PASSWORD},
        headers={"x-forwarded-for": "198.51.100.7"},  # no proxy is trusted: the header changes nothing
    )

    assert {r.status_code for r in failures} == {401}
    assert "for this address" in problem(from_the_same_address, 429)["detail"]
    problem(from_elsewhere, 429)


async def test_app_passwords_and_api_tokens_are_limited_too(
    identity_with_operator: Identity, suffix: str
) -> None:
    http = identity_with_operator.http
    _, anna = await sign_up(http, f"anna-{suffix}@meier.example")

    app_passwords = [
        await http.post("/v1/app-passwords/authenticate", json={"email": anna.email, "password": "aaaa-bbbb"})
        for _ in range(6)
    ]
    api_tokens = [await http.post("/v1/tokens/exchange", json={"api_token": "tsr_stolen"}) for _ in range(6)]
    password = await http.post("/v1/sessions", json={"email": anna.email, "password": PASSWORD})

    assert [r.status_code for r in app_passwords] == [401] * 5 + [429]
    assert [r.status_code for r in api_tokens] == [401] * 5 + [429]
    assert password.status_code == 200, password.text  # each kind of secret has its own count
