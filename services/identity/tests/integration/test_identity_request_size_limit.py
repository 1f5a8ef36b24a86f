"""identity's unauthenticated sign-in refuses huge bodies with 413 before reading them, and odd input
with 4xx: the kit's limits hold for routes that need no token."""

from collections.abc import AsyncIterator

import pytest
from identity_harness import problem

from tessera_devtools.testing import RunningService
from tessera_identity.config import IdentitySettings

pytestmark = pytest.mark.integration
Identity = RunningService[IdentitySettings]
CHUNK = b"x" * 65536


async def test_a_five_megabyte_sign_in_is_refused_with_413(identity_with_operator: Identity) -> None:
    body = b'{"email": "anna@example.ch", "password": "' + b"x" * (5 * 1024 * 1024) + b'"}'

    response = await identity_with_operator.http.post(
        "/v1/sessions", content=body, headers={"content-type": "application/json"}
    )

    refused = problem(response, 413)
    assert refused["max_body_bytes"] == identity_with_operator.settings.http_max_body_bytes


async def test_a_hundred_megabytes_streamed_without_a_length_are_cut_off_at_the_limit(
    identity_with_operator: Identity,
) -> None:
    sent = 0

    async def upload() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"email": "anna@example.ch", "password": "'
        for _ in range(100 * 16):  # 100 MB in 64 KiB chunks
            sent += len(CHUNK)
            yield CHUNK
        yield b'"}'

    response = await identity_with_operator.http.post(
        "/v1/sessions", content=upload(), headers={"content-type": "application/json"}
    )

    problem(response, 413)
    assert sent <= identity_with_operator.settings.http_max_body_bytes + len(CHUNK)


@pytest.mark.parametrize(
    "credentials",
    [
        {"email": "anna\u0000@example.ch", "password": "correct horse battery"},
        {"email": "anna@example.ch", "password": "pass\u0000word-long-enough"},
        {"email": "ännä@exämple.ch", "password": "ünïcödé pässwörd"},
    ],
)
async def test_odd_credentials_are_a_client_error_never_a_500(
    identity_with_operator: Identity, credentials: dict[str, str]
) -> None:
    response = await identity_with_operator.http.post("/v1/sessions", json=credentials)

    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
