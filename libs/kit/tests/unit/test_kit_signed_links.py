from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from tessera_kit.signed_links import MAX_LIFETIME, InvalidLink, sign_link, verify_link

KEY = b"k" * 32
NOW = datetime(2026, 1, 1, tzinfo=UTC)
LATER = NOW + timedelta(days=30)


def test_a_link_signed_for_a_request_verifies_until_it_expires() -> None:
    subject = uuid4()
    token = sign_link(KEY, "offer-request:cancel", subject, LATER)

    verify_link(KEY, token, "offer-request:cancel", subject, LATER, NOW)
    with pytest.raises(InvalidLink, match="expired"):
        verify_link(KEY, token, "offer-request:cancel", subject, LATER, LATER)


@pytest.mark.parametrize("change", ["purpose", "subject", "expiry", "key"])
def test_a_link_is_refused_for_anything_but_what_it_was_signed_for(change: str) -> None:
    subject = uuid4()
    token = sign_link(KEY, "offer-request:cancel", subject, LATER)
    purpose, other_subject, expiry, key = "offer-request:cancel", subject, LATER, KEY
    if change == "purpose":
        purpose = "offer-request:open"
    elif change == "subject":
        other_subject = uuid4()
    elif change == "expiry":
        expiry = LATER + timedelta(days=1)
    else:
        key = b"x" * 32

    with pytest.raises(InvalidLink, match="not valid"):
        verify_link(key, token, purpose, other_subject, expiry, NOW)


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        sign_link(b"short", "p", uuid4(), LATER)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "é" * 43,
        "ünïcödé-tökén",
        "not base64 at all!",
        "A" * 42 + "=",
        "A" * 44,
        "A" * 10_000,
        "AAAA\x00" * 9,
    ],
)
def test_any_malformed_token_is_refused_as_an_invalid_link(token: str) -> None:
    with pytest.raises(InvalidLink, match="not valid"):
        verify_link(KEY, token, "offer-request:cancel", uuid4(), LATER, NOW)


def test_a_link_valid_for_longer_than_the_maximum_lifetime_is_refused() -> None:
    subject = uuid4()
    far = NOW + MAX_LIFETIME + timedelta(days=1)
    token = sign_link(KEY, "offer-request:cancel", subject, far)

    with pytest.raises(InvalidLink, match="longer than"):
        verify_link(KEY, token, "offer-request:cancel", subject, far, NOW)
    verify_link(KEY, token, "offer-request:cancel", subject, far, far - MAX_LIFETIME)
