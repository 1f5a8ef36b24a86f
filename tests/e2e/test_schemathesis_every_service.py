"""Every service's OpenAPI document, fuzzed by schemathesis with a real member's token, then the inputs
fuzzing rarely finds: NUL bytes, non-ASCII text, integers past 64 bits and bodies of megabytes.

No answer may be a 5xx, and every answer must match the schema its operation documents. A bad input is
the client's fault, told as a 4xx problem: 422 for a value the schema refuses, 413 for a body larger than
a service accepts. Requests leave from a loopback address of their own, so the wrong passwords this
sends count against that address only, never against the other tests' sign-ins.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from requests.adapters import HTTPAdapter
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from authorization_examples import example, leaves, with_leaves
from authorization_openapi import ORGANISATION_PARAMETERS, SERVICES, Operation, service_operations

pytestmark = pytest.mark.e2e

FUZZ_ADDRESS = "127.0.0.61"
TARGETED_ADDRESS = "127.0.0.62"
EXAMPLES = 20
# Each service's share of the time budget: once spent, its remaining operations get one example each.
SECONDS_PER_SERVICE = 36.0
HUGE_BODY_BYTES = 5 * 1024 * 1024
INT64_OVERFLOW = (2**63, -(2**63) - 1)


@dataclass(frozen=True)
class Member:
    """The legal representative of an organisation of its own, signed in."""

    organisation_id: str
    email: str
    password: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        """Their Authorization header."""
        return {"authorization": f"Bearer {self.token}"}


class Members:
    """The member the fuzzing acts as, replaced when it can no longer act: a fuzzed request may sign
    them out everywhere, and wrong passwords (confirming a token, changing the password) lock the
    account's sign-in for a while."""

    def __init__(self, identity: str) -> None:
        self.identity = identity
        self.member = sign_up(identity)

    def current(self) -> Member:
        """A member whose token works now."""
        if httpx.get(f"{self.identity}/v1/me", headers=self.member.auth, timeout=30).status_code != 401:
            return self.member
        member = self.member
        session = httpx.post(
            f"{self.identity}/v1/sessions", json={"email": member.email, "password": member.password}, timeout=30
        )
        if session.status_code == 200:
            self.member = replace(member, token=str(session.json()["access_token"]))
        else:
            self.member = sign_up(self.identity)
        return self.member


class FromAddress(HTTPAdapter):
    """A requests adapter whose connections leave from one loopback address."""

    def __init__(self, address: str) -> None:
        self._address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """The pool, bound to the address."""
        kwargs["source_address"] = (self._address, 0)
        super().init_poolmanager(*args, **kwargs)


def sign_up(identity: str) -> Member:
    """A new organisation and its legal representative, signed in."""
    email = f"fuzz-{secrets.token_hex(4)}@example.com"
    password = f"fuzz {secrets.token_urlsafe(12)}"
    body = {
        "name": f"Fuzzed {email}",
        "kind": "company",
        "country": "CH",
        "locale": "en",
        "billing_email": f"billing-{email}",
        "legal_representative": {"email": email, "display_name": "Fuzzed owner", "password": password},
    }
    created = httpx.post(f"{identity}/v1/organisations", json=body, timeout=30)
    assert created.status_code == 201, created.text
    session = httpx.post(f"{identity}/v1/sessions", json={"email": email, "password": password}, timeout=30)
    assert session.status_code == 200, session.text
    return Member(created.json()["organisation_id"], email, password, str(session.json()["access_token"]))


@pytest.fixture(scope="module")
def members(suite: Any) -> Members:
    return Members(suite.url("identity"))


@pytest.fixture(scope="module")
def fuzzing_session() -> Iterator[requests.Session]:
    session = requests.Session()
    adapter = FromAddress(FUZZ_ADDRESS)
    session.mount("http://", adapter)
    yield session
    session.close()


@pytest.fixture(scope="module")
def targeted(suite: Any) -> Iterator[httpx.Client]:
    transport = httpx.HTTPTransport(local_address=TARGETED_ADDRESS)
    with httpx.Client(transport=transport, timeout=60) as client:
        yield client


@pytest.mark.parametrize("service", SERVICES)
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_schema(
    suite: Any, members: Members, fuzzing_session: requests.Session, service: str
) -> None:
    base = suite.url(service)
    schema = schemathesis.openapi.from_dict(httpx.get(f"{base}/openapi.json", timeout=30).json())
    deadline = time.monotonic() + SECONDS_PER_SERVICE
    failures: list[str] = []
    tried = 0
    for found in schema.get_all_operations():
        operation = found.ok()
        examples = EXAMPLES if time.monotonic() < deadline else 1
        failure = _fuzz(operation, base, fuzzing_session, members.current(), examples)
        tried += examples
        if failure:
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}")
    print(f"{service}: up to {tried} cases in {time.monotonic() - deadline + SECONDS_PER_SERVICE:.1f} s")
    assert not failures, "\n\n".join(failures)


def _fuzz(operation: Any, base: str, session: requests.Session, member: Member, examples: int) -> str | None:
    """Run one operation's cases; the first failure's report, or None."""
    fixed = {name: member.organisation_id for name in ORGANISATION_PARAMETERS if f"{{{name}}}" in operation.path}
    headers = member.auth

    @given(case=operation.as_strategy(path_parameters=fixed))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def cases(case: Any) -> None:
        response = case.call(base_url=base, session=session, headers=headers, timeout=30)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    try:
        cases()
    except Exception as error:  # a failure group, or a request that got no answer
        return str(error)[:2000]
    return None


# Targeted cases: what random generation seldom reaches.

NUL = "nul\x00byte"
NON_ASCII = "Grüße 漢字 🙂 ÿ"


@pytest.fixture(scope="module")
def owner(suite: Any) -> Member:
    """A member of its own for the targeted cases (the fuzzing may lock its member's sign-in)."""
    return sign_up(suite.url("identity"))


def _request(
    base: str,
    operation: Operation,
    owner: Member,
    *,
    body: Any = None,
    query: dict[str, Any] | None = None,
    path_value: str | None = None,
) -> httpx.Request:
    """The operation on the owner's organisation, with ``path_value`` for every other path parameter."""
    path = operation.path
    for name in operation.path_parameters:
        value = owner.organisation_id if name in ORGANISATION_PARAMETERS else path_value
        value = value or str(example(operation.path_schemas.get(name, {}), {}, name))
        path = path.replace(f"{{{name}}}", value)
    return httpx.Request(operation.method, base + path, params=query or {}, json=body, headers=owner.auth)


def _complete_body(operation: Operation) -> Any:
    return example(operation.body, {}, complete=True) if operation.body is not None else None


def _complete_query(operation: Operation) -> dict[str, Any]:
    return {name: example(schema, {}, name) for name, schema in operation.query_schemas.items()}


def _unexpected(client: httpx.Client, requests_: list[httpx.Request], expected: set[int]) -> list[str]:
    """Send each request; those answered otherwise than ``expected`` (or not as problem+json)."""
    wrong = []
    for request in requests_:
        response = client.send(request)
        kind = response.headers.get("content-type", "")
        if response.status_code not in expected or not kind.startswith("application/problem+json"):
            wrong.append(f"{request.method} {request.url.path}: {response.status_code} {response.text[:200]}")
    return wrong


@pytest.mark.parametrize("service", SERVICES)
def test_a_nul_byte_in_any_string_of_a_body_or_query_is_refused_with_422(
    suite: Any, owner: Member, targeted: httpx.Client, service: str
) -> None:
    base = suite.url(service)
    sent = []
    for operation in service_operations(base, service):
        body = _complete_body(operation)
        if leaves(body, str):
            sent.append(_request(base, operation, owner, body=with_leaves(body, text=NUL)))
        query = _complete_query(operation)
        if leaves(query, str):
            sent.append(_request(base, operation, owner, body=body, query=with_leaves(query, text=NUL)))

    assert sent
    assert _unexpected(targeted, sent, {422}) == []


@pytest.mark.parametrize("service", SERVICES)
def test_non_ascii_text_anywhere_is_never_a_server_error(
    suite: Any, owner: Member, targeted: httpx.Client, service: str
) -> None:
    base = suite.url(service)
    answers: dict[str, int] = {}
    for operation in service_operations(base, service):
        body, query = _complete_body(operation), _complete_query(operation)
        variants = [
            _request(base, operation, owner, body=with_leaves(body, text=NON_ASCII), query=query),
            _request(base, operation, owner, body=body, query=with_leaves(query, text=NON_ASCII)),
        ]
        if set(operation.path_parameters) - ORGANISATION_PARAMETERS:
            variants.append(_request(base, operation, owner, body=body, query=query, path_value=NON_ASCII))
        for request in variants:
            answers[f"{request.method} {request.url}"] = targeted.send(request).status_code
    foreign_token = targeted.get(
        f"{base}/readyz", headers={"authorization": "Bearer ÿ.é.ü".encode("latin-1").decode("latin-1")}
    )

    assert {label: status for label, status in answers.items() if status >= 500} == {}
    assert foreign_token.status_code < 500


@pytest.mark.parametrize("service", SERVICES)
def test_an_integer_past_64_bits_is_refused_with_422(
    suite: Any, owner: Member, targeted: httpx.Client, service: str
) -> None:
    base = suite.url(service)
    sent = []
    for operation in service_operations(base, service):
        body, query = _complete_body(operation), _complete_query(operation)
        for number in INT64_OVERFLOW:
            if leaves(body, int):
                sent.append(_request(base, operation, owner, body=with_leaves(body, number=number), query=query))
            if leaves(query, int):
                sent.append(_request(base, operation, owner, body=body, query=with_leaves(query, number=number)))

    assert _unexpected(targeted, sent, {422}) == []


@pytest.mark.parametrize("service", SERVICES)
def test_a_body_of_five_megabytes_is_refused_with_413_whether_its_length_is_announced_or_not(
    suite: Any, owner: Member, targeted: httpx.Client, service: str
) -> None:
    base = suite.url(service)
    operation = next(o for o in service_operations(base, service) if o.body is not None and o.method == "POST")
    url = str(_request(base, operation, owner).url)
    huge = b'{"padding": "' + b"x" * HUGE_BODY_BYTES + b'"}'
    headers = owner.auth | {"content-type": "application/json"}

    announced = targeted.post(url, content=huge, headers=headers)
    streamed = targeted.post(url, content=iter([huge[i : i + 65536] for i in range(0, len(huge), 65536)]), headers=headers)

    assert (announced.status_code, streamed.status_code) == (413, 413), f"{operation.label}: {announced.text[:200]}"
    assert announced.headers["content-type"].startswith("application/problem+json")
