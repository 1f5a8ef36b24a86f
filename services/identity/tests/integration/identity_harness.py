"""Driving identity over HTTP as a front end would: sign up, sign in, call with a bearer token."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx

from tessera_devtools.testing import eventually

OPERATOR_ID = UUID("0b9a3d52-7c1e-4f6a-9d3b-5e2f8a1c4d70")
PASSWORD = "correct horse battery"


@dataclass
class Person:
    """Someone with an account and, once signed in, an access token."""

    user_id: str
    email: str
    token: str = ""

    @property
    def auth(self) -> dict[str, str]:
        """Their Authorization header."""
        return {"authorization": f"Bearer {self.token}"}


def sign_up_body(email: str, country: str = "DE", **extra: Any) -> dict[str, Any]:
    """A company sign-up with ``email`` as its legal representative."""
    return {
        "name": "Meier Hosting GmbH",
        "kind": "company",
        "country": country,
        "locale": "de",
        "billing_email": f"billing-{email}",
        "legal_representative": {"email": email, "display_name": "Anna Meier", "password": PASSWORD},
        **extra,
    }


async def sign_up(
    http: httpx.AsyncClient, email: str, country: str = "DE", **extra: Any
) -> tuple[str, Person]:
    """A new organisation and its signed-in legal representative."""
    created = await http.post("/v1/organisations", json=sign_up_body(email, country, **extra))
    assert created.status_code == 201, created.text
    person = Person(created.json()["user_id"], email)
    person.token = await sign_in(http, email)
    return created.json()["organisation_id"], person


async def new_person(http: httpx.AsyncClient, email: str, name: str = "Bruno Keller") -> Person:
    """A person with an account of their own, signed in."""
    created = await http.post(
        "/v1/users", json={"email": email, "display_name": name, "locale": "de", "password": PASSWORD}
    )
    assert created.status_code == 201, created.text
    person = Person(created.json()["user_id"], email)
    person.token = await sign_in(http, email)
    return person


async def sign_in(http: httpx.AsyncClient, email: str, password: str = PASSWORD, **codes: str) -> str:
    """An access token, once identity has a signing key and its own services trust it."""
    response = await eventually(
        lambda: http.post("/v1/sessions", json={"email": email, "password": password, **codes}),
        until=lambda r: r.status_code != 503,
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    await eventually(
        lambda: http.get("/v1/me", headers={"authorization": f"Bearer {token}"}),
        until=lambda r: r.status_code == 200,
        what="identity trusting its own signing key",
    )
    return token


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The problem+json body of a response that must have ``status``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body
