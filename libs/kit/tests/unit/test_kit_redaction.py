"""Query strings reach spans without the secrets a link or callback carries."""

import pytest

from tessera_kit.redaction import REDACTED, redacted_query


@pytest.mark.parametrize(
    "name", ["token", "access_token", "code", "signature", "password", "Authorization", "api_key", "state"]
)
def test_secret_parameters_keep_their_name_and_lose_their_value(name: str) -> None:
    assert redacted_query(f"{name}=s3cr3t-value&page=2") == f"{name}={REDACTED}&page=2"


def test_ordinary_parameters_are_kept_as_they_were() -> None:
    assert redacted_query("q=web+shop&country=CH&limit=50") == "q=web+shop&country=CH&limit=50"


def test_a_malformed_query_never_fails_and_never_shows_a_token() -> None:
    shown = redacted_query("token=%E2%82%AC%ZZ&&=&token")

    assert "%E2" not in shown
    assert shown.count(REDACTED) == 2
