"""notify as it runs: a client's offer request reaches the opted-in partner in its language, and the
client gets a cancel link to partnership's API, signed with the key partnership verifies with."""

import asyncio
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import pytest

from tessera_devtools.services import DEV_OFFER_LINK_KEY
from tessera_devtools.smtp_inbox import wait_for_message
from tessera_devtools.story import Story
from tessera_devtools.testing import KafkaProbe, envelope
from tessera_events.identity import Locale
from tessera_events.partnership import OfferRequestPosted
from tessera_kit.signed_links import verify_link

pytestmark = pytest.mark.e2e


def plain(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    text: str = part.get_content()
    return text


async def test_a_posted_offer_request_reaches_the_partner_and_gives_the_client_a_signed_cancel_link(
    infra,
    suite,  # type: ignore[no-untyped-def]
) -> None:
    story = Story(
        {name: suite.url(name) for name in ("identity", "partnership", "billing")}, infra.kafka_bootstrap
    )
    try:
        partner = await story.register("Offerta Partner SA", "CH", "it")
        client = await story.register("Bodega Cliente SL", "ES", "es")
    finally:
        await story.close()
    assert infra.maildir is not None
    title = f"Tienda online {uuid4().hex[:8]}"
    request_id = uuid4()
    expires_at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    posted = OfferRequestPosted(
        offer_request_id=request_id,
        client_organisation_id=client.organisation_id,
        posted_by_user_id=client.user_id,
        title=title,
        excerpt="Una tienda online para nuestros vinos.",
        country="ES",
        languages=(Locale.ES,),
        expires_at=expires_at,
        recipient_partner_organisation_ids=(partner.organisation_id,),
        posted_at=datetime.now(UTC),
    )

    async with KafkaProbe(infra.kafka_bootstrap) as kafka:
        await kafka.publish(envelope(posted, source="/tessera/partnership"))
    excerpt = await asyncio.to_thread(
        wait_for_message, infra.maildir, lambda m: m["Subject"] == f"Nuova richiesta di offerta: {title}", 60
    )
    confirmation = await asyncio.to_thread(
        wait_for_message,
        infra.maildir,
        lambda m: m["Subject"] == f"Su solicitud de oferta «{title}» ha sido enviada",
        60,
    )

    assert excerpt["Content-Language"] == "it"
    assert "Una tienda online para nuestros vinos." in plain(excerpt)
    assert "Bodega Cliente SL" not in plain(excerpt)
    [url] = [line for line in plain(confirmation).splitlines() if "/cancel?token=" in line]
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == suite.url("partnership")
    assert parts.path == f"/v1/offer-requests/{request_id}/cancel"
    [token] = parse_qs(parts.query)["token"]
    verify_link(
        DEV_OFFER_LINK_KEY.encode(), token, "offer-request:cancel", request_id, expires_at, datetime.now(UTC)
    )
