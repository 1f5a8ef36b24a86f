"""The directory and offer requests through the HTTP API, on real PostgreSQL and Kafka."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from conftest import OFFER_LINK_KEY, Organisations, Steps
from sqlalchemy import update

from tessera_devtools.testing import KafkaProbe, RunningService
from tessera_events.identity import Role
from tessera_events.partnership import (
    OFFER_REQUESTS,
    OfferRequestClosed,
    OfferRequestOpened,
    OfferRequestPosted,
)
from tessera_kit.signed_links import sign_link
from tessera_partnership.adapters.orm import OfferRequestRow
from tessera_partnership.config import PartnershipSettings
from tessera_partnership.service_layer.offer_requests import CANCEL_PURPOSE

pytestmark = pytest.mark.integration
Partnership = RunningService[PartnershipSettings]
NEED = {
    "title": "Online shop for a bakery",
    "description": "We need a small online shop with 30 products, card payments, in German and French.",
    "country": "CH",
    "languages": ["de", "fr"],
    "contact": {"name": "Anna Muster", "email": "anna@example.ch", "phone": "+41 21 555 12 12"},
}


def listing(**changes: object) -> dict[str, object]:
    return {
        "website_url": "https://alpenweb.example.ch",
        "languages": ["de", "fr"],
        "specialties": ["wordpress", "e-commerce"],
        "description": "Shops and sites for SMEs in Romandie.",
    } | changes


async def test_the_directory_lists_only_active_partners_who_opted_in_and_filters_them(
    steps: Steps, organisations: Organisations, partnership: Partnership
) -> None:
    tag = uuid4().hex[:8]
    listed = await steps.active_partner(organisations, f"Listed {tag} Sàrl")
    german = await steps.active_partner(organisations, f"Berlin {tag} GmbH", "DE")
    applicant = await organisations.register(f"Applicant {tag} AG")
    path = "/directory-listing"
    await steps.call("PUT", f"/v1/organisations/{listed}{path}", steps.as_(listed), 200, listing())
    await steps.call(
        "PUT",
        f"/v1/organisations/{german}{path}",
        steps.as_(german),
        200,
        listing(languages=["de"], specialties=["seo"]),
    )
    await steps.call("PUT", f"/v1/organisations/{applicant}{path}", steps.as_(applicant), 409, listing())
    await steps.call(
        "PUT", f"/v1/organisations/{listed}{path}", steps.as_(listed, Role.MEMBER), 403, listing()
    )
    await steps.call(
        "PUT", f"/v1/organisations/{listed}{path}", steps.as_(listed), 422, listing(languages=["xx"])
    )

    async def search(query: str) -> list[str]:
        response = await partnership.http.get(f"/v1/directory?q={tag}&{query}")
        assert response.status_code == 200, response.text
        return [entry["name"] for entry in response.json()]

    assert await search("") == [f"Berlin {tag} GmbH", f"Listed {tag} Sàrl"]
    assert await search("country=CH") == [f"Listed {tag} Sàrl"]
    assert await search("language=fr") == [f"Listed {tag} Sàrl"]
    assert await search("specialty=seo") == [f"Berlin {tag} GmbH"]
    await steps.call("DELETE", f"/v1/organisations/{german}{path}", steps.as_(german), 204)
    assert await search("") == [f"Listed {tag} Sàrl"]
    assert (await partnership.http.get("/v1/directory?limit=1000")).status_code == 422


async def test_a_partner_opens_a_request_once_and_a_cancelled_one_can_no_longer_be_opened(
    steps: Steps, organisations: Organisations, kafka: KafkaProbe, partnership: Partnership
) -> None:
    receiving = await steps.active_partner(organisations, "Receiving Partner AG")
    declining = await steps.active_partner(organisations, "Not Interested Partner AG")
    unlisted = await steps.active_partner(organisations, "Unlisted Partner AG")
    client = await organisations.register("Bakery Client SA")
    await steps.call(
        "PUT", f"/v1/organisations/{receiving}/directory-listing", steps.as_(receiving), 200, listing()
    )
    await steps.call(
        "PUT",
        f"/v1/organisations/{declining}/directory-listing",
        steps.as_(declining),
        200,
        listing(accepts_offer_requests=False),
    )

    posted = await steps.call(
        "POST", f"/v1/organisations/{client}/offer-requests", steps.as_(client, Role.MEMBER), 201, NEED
    )
    rid = posted["offer_request_id"]
    event = await kafka.first(
        OFFER_REQUESTS.name, lambda e: e.subject == rid and isinstance(e.data, OfferRequestPosted)
    )
    received = await steps.call(
        "GET",
        f"/v1/organisations/{receiving}/received-offer-requests",
        steps.as_(receiving, Role.MEMBER),
        200,
    )
    open_path = f"/v1/organisations/{receiving}/received-offer-requests/{rid}/open"
    opened = await steps.call("POST", open_path, steps.as_(receiving, Role.MEMBER), 200)
    await steps.call("POST", open_path, steps.as_(receiving, Role.MEMBER), 200)
    await steps.call(
        "POST", f"/v1/organisations/{unlisted}/received-offer-requests/{rid}/open", steps.as_(unlisted), 404
    )

    assert receiving in event.data.recipient_partner_organisation_ids
    assert declining not in event.data.recipient_partner_organisation_ids
    assert unlisted not in event.data.recipient_partner_organisation_ids
    assert [r["offer_request_id"] for r in received] == [rid]
    assert "contact" not in received[0]
    assert opened["contact"] == {
        "name": "Anna Muster",
        "email": "anna@example.ch",
        "phone": "+41 21 555 12 12",
    }
    openings = await kafka.collect(
        OFFER_REQUESTS.name, lambda e: e.subject == rid and isinstance(e.data, OfferRequestOpened), count=1
    )
    assert openings[0].data.partner_organisation_id == receiving

    expires_at = datetime.fromisoformat(posted["expires_at"])
    token = sign_link(OFFER_LINK_KEY.encode(), CANCEL_PURPOSE, UUID(rid), expires_at)
    forged = await partnership.http.get(
        f"/v1/offer-requests/{rid}/cancel", params={"token": token[:-2] + "xx"}
    )
    cancelled = await partnership.http.get(f"/v1/offer-requests/{rid}/cancel", params={"token": token})
    clicked_again = await partnership.http.get(f"/v1/offer-requests/{rid}/cancel", params={"token": token})

    assert forged.status_code == 403
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == clicked_again.json()["status"] == "cancelled"
    refused = await steps.call("POST", open_path, steps.as_(receiving), 409)
    assert "cancelled" in refused["detail"]
    assert (
        await steps.call(
            "GET", f"/v1/organisations/{receiving}/received-offer-requests", steps.as_(receiving), 200
        )
        == []
    )
    closings = await kafka.collect(
        OFFER_REQUESTS.name, lambda e: e.subject == rid and isinstance(e.data, OfferRequestClosed), count=1
    )
    assert closings[0].data.reason == "cancelled"
    mine = await steps.call(
        "GET", f"/v1/organisations/{client}/offer-requests", steps.as_(client, Role.MEMBER), 200
    )
    assert mine[0]["opened_by_partner_organisation_ids"] == [str(receiving)]


async def test_an_expired_request_is_closed_by_the_scheduler_and_cannot_be_opened(
    steps: Steps, organisations: Organisations, kafka: KafkaProbe, partnership: Partnership
) -> None:
    partner = await steps.active_partner(organisations, "Late Partner AG")
    client = await organisations.register("Expiring Client AG")
    await steps.call(
        "PUT", f"/v1/organisations/{partner}/directory-listing", steps.as_(partner), 200, listing()
    )
    rid = (
        await steps.call("POST", f"/v1/organisations/{client}/offer-requests", steps.as_(client), 201, NEED)
    )["offer_request_id"]
    async with partnership.runtime.unit_of_work() as uow:
        await uow.session.execute(
            update(OfferRequestRow)
            .where(OfferRequestRow.id == UUID(rid))
            .values(expires_at=datetime.now(UTC) + timedelta(seconds=1))
        )
        await uow.commit()

    closed = await kafka.first(
        OFFER_REQUESTS.name, lambda e: e.subject == rid and isinstance(e.data, OfferRequestClosed)
    )

    assert closed.data.reason == "expired"
    open_path = f"/v1/organisations/{partner}/received-offer-requests/{rid}/open"
    refused = await steps.call("POST", open_path, steps.as_(partner), 409)
    assert "expired" in refused["detail"]


async def test_only_members_post_and_only_active_partners_read_offer_requests(
    steps: Steps, organisations: Organisations
) -> None:
    client = await organisations.register("Careful Client AG")
    applicant = await organisations.register("Not A Partner AG")

    await steps.call("POST", f"/v1/organisations/{client}/offer-requests", steps.as_(uuid4()), 404, NEED)
    await steps.call(
        "POST", f"/v1/organisations/{client}/offer-requests", steps.as_(client), 422, NEED | {"title": "x"}
    )
    await steps.call(
        "GET", f"/v1/organisations/{applicant}/received-offer-requests", steps.as_(applicant), 409
    )
    await steps.call("GET", f"/v1/offer-requests/{uuid4()}/cancel?token=abc", {}, 404)
