"""The cancel link in the offer-request confirmation: signed for that request only, until it expires."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import pytest

from tessera_kit.signed_links import InvalidLink, verify_link
from tessera_notify.adapters.links import CANCEL_OFFER_REQUEST, LinkKeyMissing, OfferLinks
from tessera_notify.config import NotifySettings

KEY = b"k" * 32
EXPIRES = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)


def test_the_cancel_link_verifies_with_the_shared_key_for_that_request_only() -> None:
    request_id = uuid4()
    url = OfferLinks("https://partnership.example/", KEY).cancel_url(request_id, EXPIRES)

    parts = urlsplit(url)
    [token] = parse_qs(parts.query)["token"]

    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        f"https://partnership.example/v1/offer-requests/{request_id}/cancel"
    )
    verify_link(KEY, token, CANCEL_OFFER_REQUEST, request_id, EXPIRES, EXPIRES - timedelta(days=1))
    with pytest.raises(InvalidLink):
        verify_link(KEY, token, CANCEL_OFFER_REQUEST, uuid4(), EXPIRES, EXPIRES - timedelta(days=1))
    with pytest.raises(InvalidLink):
        verify_link(b"x" * 32, token, CANCEL_OFFER_REQUEST, request_id, EXPIRES, EXPIRES - timedelta(days=1))


def test_no_link_is_signed_without_a_key() -> None:
    with pytest.raises(LinkKeyMissing):
        OfferLinks("https://partnership.example", b"").cancel_url(uuid4(), EXPIRES)


def test_a_short_link_key_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        NotifySettings(database_url="postgresql+asyncpg://unused/notify", offer_link_key="too-short")


def test_the_settings_sign_with_the_key_as_bytes() -> None:
    settings = NotifySettings(
        database_url="postgresql+asyncpg://unused/notify",
        offer_link_key="tessera-development-offer-link-key-0123456789",
        partnership_public_url="http://127.0.0.1:8002",
    )

    assert settings.offer_links == OfferLinks(
        "http://127.0.0.1:8002", b"tessera-development-offer-link-key-0123456789"
    )
