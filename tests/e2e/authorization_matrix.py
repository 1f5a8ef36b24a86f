"""The tenant and role matrix: every operation of the suite × every credential that must not get in.

What a credential may get is stated once per kind of route, from the route's own OpenAPI declaration:

* a public route: anything but a 5xx, and nothing of the victim's in the answer;
* a personal route (the person's own account): 401 without a valid token, 403 for an API token or an
  app password;
* a route that requires a permission: 401 without a valid token (none, malformed, unknown key, expired,
  living too long, revoked), 403 naming the missing permission (``missing_permission``) for an API token
  that lacks it or is for another application, 403 for an app password, and 403 or 404 for anyone who
  is not the organisation's (a foreign member, a partner's staff member not on the client's list, a
  restricted partner outside its products, a removed member).

A restricted partner may read what it manages: its 2xx on a read is allowed when it shows none of the
victim's markers. Every answer to every credential is searched for the markers.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx

from authorization_examples import example
from authorization_openapi import SERVICES, Access, Operation
from authorization_world import MANAGED_PRODUCT, Tenant, World, bearer

CONCURRENCY = 4


class Kind(StrEnum):
    """What sort of credential: how it fails decides what the answer must be."""

    NO_TOKEN = "no token"
    INVALID = "invalid token"
    REVOKED = "revoked"
    APP_PASSWORD = "app password"
    NARROW = "lacks the scope"
    OTHER_APP = "another application"
    OUTSIDER = "not the organisation's"


@dataclass(frozen=True)
class Credential:
    """A way of calling: ``token(operation)`` picks the token (None: no Authorization header)."""

    name: str
    kind: Kind
    token: Callable[[Operation], str | None]
    may_read: bool = False

    def headers(self, operation: Operation) -> dict[str, str]:
        """The headers for one operation."""
        token = self.token(operation)
        return bearer(token) if token is not None else {}


@dataclass(frozen=True)
class Victim:
    """The organisation whose ids go into the path, the credentials tried on it, and its own token."""

    name: str
    tenant: Tenant
    values: dict[str, str]
    hints: dict[str, Any]
    outsiders: tuple[Credential, ...]


@dataclass
class Result:
    """One request of the matrix and what was wrong with its answer."""

    operation: Operation
    victim: str
    credential: str
    status: int
    problems: list[str] = field(default_factory=list)


def _fixed(token: str | None) -> Callable[[Operation], str | None]:
    return lambda _operation: token


def _narrow(world: World) -> Callable[[Operation], str | None]:
    """B's token of the operation's application holding a permission other than the one needed."""

    def pick(operation: Operation) -> str | None:
        for index in (0, 1):
            scope = world.tokens[f"{operation.service}:narrow:{index}:scope"]
            if not any(_grants(scope, needed) for needed in operation.scopes):
                return world.tokens[f"{operation.service}:narrow:{index}"]
        raise AssertionError(f"no narrow token of {operation.service} lacks {operation.scopes}")

    return pick


def _grants(scope: str, needed: str) -> bool:
    return scope == needed or (needed.endswith(":read") and scope == needed.removesuffix(":read") + ":write")


def _other_application(world: World) -> Callable[[Operation], str | None]:
    def pick(operation: Operation) -> str | None:
        other = SERVICES[(SERVICES.index(operation.service) + 1) % len(SERVICES)]
        return world.tokens[f"{other}:full"]

    return pick


def token_credentials(world: World) -> list[Credential]:
    """Credentials of B's that fail on the token itself, whatever organisation the path names."""
    tokens = world.tokens
    return [
        Credential("none", Kind.NO_TOKEN, _fixed(None)),
        Credential("malformed", Kind.INVALID, _fixed("not.a.token")),
        Credential("unknown key", Kind.INVALID, _fixed(tokens["unknown_key"])),
        Credential("expired", Kind.INVALID, _fixed(tokens["expired"])),
        Credential("too long", Kind.INVALID, _fixed(tokens["too_long"])),
        Credential("revoked", Kind.REVOKED, lambda operation: tokens[f"{operation.service}:revoked"]),
        Credential("app password", Kind.APP_PASSWORD, _fixed(tokens["app_password"])),
        Credential("narrow", Kind.NARROW, _narrow(world)),
        Credential("other app", Kind.OTHER_APP, _other_application(world)),
    ]


def victims(world: World) -> list[Victim]:
    """B (the client) and P (its partner), each with the outsiders who must not reach it."""
    ids, people = world.ids, world.people
    shared = {
        "partner_id": world.p.id,
        "client_id": world.b.id,
        "currency": "CHF",
        "request_id": ids.get("offer_request_id", ""),
        **{name: ids[name] for name in _ID_PARAMETERS if name in ids},
    }
    attacker = Credential("A member", Kind.OUTSIDER, _fixed(world.a.organisation.token))
    b_values = shared | {"organisation_id": world.b.id, "user_id": ids["b_member_user_id"]}
    p_values = shared | {"organisation_id": world.p.id, "user_id": people["p_staff"].user_id}
    return [
        Victim(
            "B",
            world.b,
            b_values,
            _hints(world, b_values),
            (
                attacker,
                Credential("P not staff", Kind.OUTSIDER, _fixed(people["p_not_staff"].token)),
                Credential("R restricted", Kind.OUTSIDER, _fixed(world.r.organisation.token), may_read=True),
                Credential("B removed", Kind.OUTSIDER, _fixed(people["b_removed"].token)),
            ),
        ),
        Victim(
            "P",
            world.p,
            p_values,
            _hints(world, p_values),
            (
                attacker,
                Credential("B client", Kind.OUTSIDER, _fixed(world.b.organisation.token)),
                Credential("R restricted", Kind.OUTSIDER, _fixed(world.r.organisation.token)),
            ),
        ),
    ]


_ID_PARAMETERS = (
    "relationship_id",
    "subscription_id",
    "invoice_id",
    "tag_id",
    "address_id",
    "payment_method_id",
    "top_up_id",
    "api_token_id",
    "app_password_id",
)


def _hints(world: World, values: dict[str, str]) -> dict[str, Any]:
    """Body and query values an attacker would choose: the victim's ids, itself as the new member or
    staff, the managed product, a real amount."""
    return values | {
        "product_code": MANAGED_PRODUCT,
        "partner_organisation_id": world.p.id,
        "user_ids": [world.people["p_not_staff"].user_id],
        "email": world.a.email,
        "role": "administrator",
        "amount_minor": 100,
        "quantity": 1,
    }


def url_of(base: str, operation: Operation, victim: Victim) -> str:
    """The operation's URL with the victim's value for each path parameter."""
    path = operation.path
    for name in operation.path_parameters:
        value = victim.values.get(name) or str(example(operation.path_schemas.get(name, {}), {}, name))
        path = path.replace(f"{{{name}}}", value)
    return base + path


def request_of(
    urls: dict[str, str], operation: Operation, victim: Victim, credential: Credential
) -> httpx.Request:
    """The request one cell of the matrix sends."""
    query = {name: example(schema, victim.hints, name) for name, schema in operation.required_query.items()}
    body = example(operation.body, victim.hints) if operation.body is not None else None
    return httpx.Request(
        operation.method,
        url_of(urls[operation.service], operation, victim),
        params=query,
        json=body,
        headers=credential.headers(operation),
    )


def cells(operations: Iterable[Operation], world: World) -> list[tuple[Operation, Victim, Credential]]:
    """Every (operation, victim, credential) to try: public routes once without a token; token failures
    on every other route; outsiders on every route that names an organisation."""
    token_failures = token_credentials(world)
    every = victims(world)
    found: list[tuple[Operation, Victim, Credential]] = []
    for operation in operations:
        if operation.access is Access.PUBLIC:
            found.append((operation, every[0], token_failures[0]))
            continue
        found += [(operation, every[0], credential) for credential in token_failures]
        if operation.access is Access.PERMISSION and operation.names_an_organisation:
            found += [(operation, victim, credential) for victim in every for credential in victim.outsiders]
    return found


async def run_matrix(
    http: httpx.AsyncClient, urls: dict[str, str], operations: list[Operation], world: World
) -> list[Result]:
    """Send every cell (a few at a time) and judge each answer."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(operation: Operation, victim: Victim, credential: Credential) -> Result:
        request = request_of(urls, operation, victim, credential)
        async with gate:
            try:
                response = await http.send(request)
            except httpx.TransportError as error:
                return Result(operation, victim.name, credential.name, 0, [f"no answer: {error!r}"])
        result = Result(operation, victim.name, credential.name, response.status_code)
        result.problems = judge(operation, credential, request, response, world.markers)
        return result

    return list(await asyncio.gather(*(one(*cell) for cell in cells(operations, world))))


def judge(
    operation: Operation,
    credential: Credential,
    request: httpx.Request,
    response: httpx.Response,
    markers: set[str],
) -> list[str]:
    """What is wrong with one answer (nothing, when it is as the route's declaration says)."""
    status = response.status_code
    sent = str(request.url) + request.content.decode(errors="replace")
    problems = [f"leaks {marker!r}" for marker in sorted(markers) if marker in response.text and marker not in sent]
    if status >= 500:
        return [*problems, f"{status}: {response.text[:300]}"]
    if operation.access is Access.PUBLIC:
        return problems
    if 200 <= status < 300:
        if not (credential.may_read and operation.reads):
            problems.append(f"{status}: let in")
        return problems
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        problems.append(f"{status} is not problem+json")
    return problems + _expected_refusal(operation, credential.kind, status, response)


def _expected_refusal(operation: Operation, kind: Kind, status: int, response: httpx.Response) -> list[str]:
    if kind in (Kind.NO_TOKEN, Kind.INVALID, Kind.REVOKED):
        return [] if status == 401 else [f"{status}, expected 401"]
    if kind is Kind.OUTSIDER:
        return [] if status in (401, 403, 404) else [f"{status}, expected 403 or 404"]
    if status != 403:
        return [f"{status}, expected 403"]
    if kind is Kind.APP_PASSWORD or operation.access is Access.PERSONAL:
        return []
    named = _json(response).get("missing_permission")
    return [] if named in operation.scopes else [f"403 names {named!r}, expected one of {operation.scopes}"]


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        found = response.json()
    except json.JSONDecodeError:
        return {}
    return found if isinstance(found, dict) else {}


def table(results: list[Result]) -> str:
    """The matrix as text: one row per operation and victim, one column per credential, the status in
    each cell (``!`` marks a problem), then the counts and every problem."""
    columns = list(dict.fromkeys(result.credential for result in results))
    rows: dict[str, dict[str, str]] = {}
    for result in results:
        row = rows.setdefault(f"{result.operation.label} [{result.victim}]", {})
        row[result.credential] = f"{result.status}{'!' if result.problems else ''}"
    width = max(len(label) for label in rows)
    lines = [" ".join([" " * width, *(f"{column[:12]:>12}" for column in columns)])]
    lines += [
        " ".join([label.ljust(width), *(f"{row.get(column, ''):>12}" for column in columns)])
        for label, row in rows.items()
    ]
    statuses = Counter(result.status for result in results)
    lines += [
        "",
        f"{len(results)} requests, {len({r.operation.label for r in results})} operations; statuses: "
        + ", ".join(f"{status} × {count}" for status, count in sorted(statuses.items())),
        f"{sum(bool(r.problems) for r in results)} with a problem:",
    ]
    lines += [
        f"  {r.operation.label} [{r.victim}] as {r.credential}: {'; '.join(r.problems)}" for r in results if r.problems
    ]
    return "\n".join(lines)
