"""Offer requests: posted to partners, opened only while valid, cancelled at once, expired in time;
and the directory listing's rules."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from tessera_kit.signed_links import InvalidLink, sign_link, verify_link
from tessera_partnership.domain.directory import Listing
from tessera_partnership.domain.errors import InvalidListing, InvalidOfferRequest, OfferRequestClosed
from tessera_partnership.domain.offer_request import Contact, OfferRequest, OfferRequestStatus
from tessera_partnership.service_layer.offer_requests import CANCEL_PURPOSE

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CLIENT, PARTNER, OTHER, USER = uuid4(), uuid4(), uuid4(), uuid4()
KEY = b"k" * 32


def posted(
    description: str = "We need a small online shop with 30 products and card payments.",
) -> OfferRequest:
    return OfferRequest.post(
        client_organisation_id=CLIENT,
        posted_by_user_id=USER,
        title="Online shop for a bakery",
        description=description,
        country="ch",
        languages=["de", "fr"],
        contact=Contact("Anna Muster", "anna@example.ch", None),
        valid_for=timedelta(days=30),
        recipients=(PARTNER, CLIENT),
        now=NOW,
    )


def test_a_posted_request_goes_to_the_recipients_but_never_to_the_client_itself() -> None:
    request = posted()
    assert request.recipients == (PARTNER,)
    assert request.country == "CH"
    assert request.expires_at == NOW + timedelta(days=30)


def test_the_excerpt_cuts_a_long_description_at_a_word() -> None:
    request = posted("word " * 200)
    assert len(request.excerpt) <= 281
    assert request.excerpt.endswith("word…")


@pytest.mark.parametrize(
    "changes",
    [{"title": "x"}, {"description": "too short"}, {"languages": ["jp"]}, {"valid_for": timedelta(days=91)}],
)
def test_a_malformed_request_is_refused(changes: dict[str, object]) -> None:
    values: dict[str, object] = {
        "client_organisation_id": CLIENT,
        "posted_by_user_id": USER,
        "title": "Online shop",
        "description": "A description of at least twenty characters.",
        "country": "CH",
        "languages": ["de"],
        "contact": Contact("Anna", "anna@example.ch", None),
        "valid_for": timedelta(days=30),
        "recipients": (),
        "now": NOW,
    }
    with pytest.raises(InvalidOfferRequest):
        OfferRequest.post(**(values | changes))  # type: ignore[arg-type]


def test_a_partner_opens_a_valid_request_once() -> None:
    request = posted()
    first = request.open_by(PARTNER, USER, NOW)
    assert first is not None
    assert request.open_by(PARTNER, USER, NOW + timedelta(hours=1)) is None
    assert request.openings == [first]


def test_a_cancelled_request_cannot_be_opened_or_seen() -> None:
    request = posted()
    assert request.cancel(NOW)
    assert not request.cancel(NOW)
    assert not request.visible_to(PARTNER, NOW)
    with pytest.raises(OfferRequestClosed, match="cancelled"):
        request.open_by(PARTNER, USER, NOW)


def test_an_expired_request_cannot_be_opened_even_before_the_sweep() -> None:
    request = posted()
    later = request.expires_at
    with pytest.raises(OfferRequestClosed, match="expired"):
        request.open_by(PARTNER, USER, later)
    assert not request.expire(later - timedelta(seconds=1))
    assert request.expire(later)
    assert request.status is OfferRequestStatus.EXPIRED
    assert not request.cancel(later)


def test_the_cancel_link_is_single_purpose_and_bound_to_its_request_and_expiry() -> None:
    request = posted()
    token = sign_link(KEY, CANCEL_PURPOSE, request.id, request.expires_at)
    verify_link(KEY, token, CANCEL_PURPOSE, request.id, request.expires_at, NOW)
    for purpose, subject, expiry in (
        ("relationship:end", request.id, request.expires_at),
        (CANCEL_PURPOSE, uuid4(), request.expires_at),
        (CANCEL_PURPOSE, request.id, request.expires_at + timedelta(days=1)),
    ):
        with pytest.raises(InvalidLink):
            verify_link(KEY, token, purpose, subject, expiry, NOW)


def listing(**changes: object) -> Listing:
    values: dict[str, object] = {
        "organisation_id": PARTNER,
        "name": "Alpenweb AG",
        "website_url": "https://alpenweb.example.ch",
        "country": "ch",
        "languages": ["DE", "fr"],
        "specialties": ["WordPress", "e-commerce"],
        "description": "",
        "accepts_offer_requests": True,
        "now": NOW,
    }
    return Listing.of(**(values | changes))  # type: ignore[arg-type]


def test_a_listing_is_normalised() -> None:
    entry = listing()
    assert (entry.country, entry.languages, entry.specialties) == (
        "CH",
        ("de", "fr"),
        ("e-commerce", "wordpress"),
    )


@pytest.mark.parametrize(
    "changes",
    [{"website_url": "ftp://x.ch"}, {"languages": []}, {"languages": ["jp"]}, {"specialties": ["x" * 41]}],
)
def test_a_malformed_listing_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidListing):
        listing(**changes)
