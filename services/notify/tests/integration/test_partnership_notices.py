"""Relationships and offer requests: each side's administrators hear it, in their language, once."""

import asyncio
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import pytest
from conftest import OFFER_LINK_KEY
from notify_harness import PARTNERSHIP, RunningNotify, SmtpInbox

from tessera_devtools.testing import envelope
from tessera_events.identity import Locale, OrganisationRegistered, Role, UserRegistered
from tessera_events.partnership import (
    Access,
    AccessEndingSoon,
    BillingMode,
    OfferRequestPosted,
    RelationshipEnded,
    RelationshipEndReason,
    RelationshipProposed,
    RelationshipStarted,
    Side,
)
from tessera_kit.signed_links import verify_link

pytestmark = pytest.mark.integration
ENDS = datetime(2026, 12, 31, 23, 0, tzinfo=UTC)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    content: str = part.get_content()
    return content.replace("\u00a0", " ").replace("\u202f", " ")


async def organisation_with_administrators(
    notify: RunningNotify, name: str, locale: Locale, country: str, *people: tuple[str, Locale, Role]
) -> tuple[OrganisationRegistered, list[UserRegistered]]:
    organisation = await notify.register_organisation(name, locale, country)
    users = []
    for person, language, role in people:
        user = await notify.register_user(person, language)
        await notify.grant(organisation, user, role)
        users.append(user)
    return organisation, users


async def test_relationship_notices_reach_each_sides_administrators_in_their_language_once(
    notify: RunningNotify, smtp_inbox: SmtpInbox
) -> None:
    partner, [giulia] = await organisation_with_administrators(
        notify, "Alpi Partner SA", Locale.DE, "CH", ("Giulia Bianchi", Locale.IT, Role.ADMINISTRATOR)
    )
    client, [lucia, john] = await organisation_with_administrators(
        notify,
        "Panadería Sol SL",
        Locale.FR,
        "ES",
        ("Lucía García", Locale.ES, Role.LEGAL_REPRESENTATIVE),
        ("John Smith", Locale.EN, Role.ADMINISTRATOR),
    )
    relationship_id = uuid4()
    ids = {"relationship_id": relationship_id, "partner_organisation_id": partner.organisation_id}
    ids |= {"client_organisation_id": client.organisation_id}
    proposed = envelope(
        RelationshipProposed(
            **ids,
            proposed_by=Side.PARTNER,
            proposed_by_user_id=giulia.user_id,
            access=Access.RESTRICTED,
            product_codes=("web-hosting-pro",),
            expires_at=ENDS,
        ),
        source=PARTNERSHIP,
    )
    started = envelope(
        RelationshipStarted(
            **ids,
            access=Access.FULL,
            billing_mode=BillingMode.CLIENT_PAYS,
            started_at=datetime.now(UTC),
            access_ends_at=ENDS,
        ),
        source=PARTNERSHIP,
    )

    await notify.kafka.publish(proposed)
    await notify.kafka.publish(started)
    await notify.kafka.publish(started)  # a redelivery
    ending = envelope(AccessEndingSoon(**ids, access_ends_at=ENDS), source=PARTNERSHIP)
    await notify.kafka.publish(ending)  # same relationship, same partition: read after the redelivery
    invited = await notify.deliveries_of(proposed.id, settled=2)
    told = await notify.deliveries_of(started.id, settled=3)
    warned = await notify.deliveries_of(ending.id, settled=3)

    assert [(row["recipient"], row["locale"], row["status"]) for row in invited] == sorted(
        [(str(john.email), "en", "delivered"), (str(lucia.email), "es", "delivered")]
    )
    assert {row["recipient"]: row["locale"] for row in told} == {
        str(giulia.email): "it",
        str(lucia.email): "es",
        str(john.email): "en",
    }
    assert len(warned) == 3
    [to_lucia_invite, to_lucia_start, _] = smtp_inbox.to(str(lucia.email))
    assert to_lucia_invite["Subject"] == "Alpi Partner SA le invita a confiarle la gestión de sus productos"
    assert "web-hosting-pro" in text_of(to_lucia_invite)
    assert to_lucia_start["Subject"] == "Alpi Partner SA gestiona ahora sus productos"
    assert "Ora gestisce i prodotti di Panadería Sol SL" in smtp_inbox.to(str(giulia.email))[0]["Subject"]
    assert len(smtp_inbox.to(str(giulia.email))) == 2  # started and ending soon, once each
    assert smtp_inbox.to(client.billing_email) == []  # relationships are for administrators


async def test_both_sides_hear_that_the_relationship_ended_and_why(
    notify: RunningNotify, smtp_inbox: SmtpInbox
) -> None:
    partner, [anna] = await organisation_with_administrators(
        notify, "Keller IT GmbH", Locale.DE, "DE", ("Anna Keller", Locale.DE, Role.LEGAL_REPRESENTATIVE)
    )
    client, [marie] = await organisation_with_administrators(
        notify, "Atelier Marie", Locale.FR, "FR", ("Marie Curie", Locale.FR, Role.LEGAL_REPRESENTATIVE)
    )
    ended = envelope(
        RelationshipEnded(
            relationship_id=uuid4(),
            partner_organisation_id=partner.organisation_id,
            client_organisation_id=client.organisation_id,
            reason=RelationshipEndReason.STOPPED_BY_CLIENT,
            ended_by_user_id=marie.user_id,
            ended_at=datetime.now(UTC),
        ),
        source=PARTNERSHIP,
    )

    await notify.kafka.publish(ended)
    await notify.deliveries_of(ended.id, settled=2)

    [to_anna] = smtp_inbox.to(str(anna.email))
    [to_marie] = smtp_inbox.to(str(marie.email))
    assert to_anna["Subject"] == "Ihre Beziehung mit Atelier Marie ist beendet"
    assert "Der Kunde hat die Beziehung am" in text_of(to_anna)
    assert "Sie haben keinen Zugang mehr zu den Produkten von Atelier Marie." in text_of(to_anna)
    assert "Keller IT GmbH n'a plus accès à vos produits." in text_of(to_marie)


async def test_opted_in_partners_get_the_excerpt_and_the_client_a_cancel_link(
    notify: RunningNotify, smtp_inbox: SmtpInbox
) -> None:
    first, [hans] = await organisation_with_administrators(
        notify, "Hans Web AG", Locale.DE, "CH", ("Hans Muster", Locale.DE, Role.ADMINISTRATOR)
    )
    second, [chloe] = await organisation_with_administrators(
        notify, "Chloé Digital", Locale.FR, "FR", ("Chloé Martin", Locale.FR, Role.ADMINISTRATOR)
    )
    client, [pablo] = await organisation_with_administrators(
        notify, "Bodega Pablo", Locale.ES, "ES", ("Pablo Ruiz", Locale.ES, Role.LEGAL_REPRESENTATIVE)
    )
    request_id, expires_at = uuid4(), datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    posted = envelope(
        OfferRequestPosted(
            offer_request_id=request_id,
            client_organisation_id=client.organisation_id,
            posted_by_user_id=pablo.user_id,
            title="Tienda online",
            excerpt="Necesitamos una tienda online para vender vino.",
            country="ES",
            languages=(Locale.ES, Locale.EN),
            expires_at=expires_at,
            recipient_partner_organisation_ids=(first.organisation_id, second.organisation_id),
            posted_at=datetime.now(UTC),
        ),
        source=PARTNERSHIP,
    )

    await notify.kafka.publish(posted)
    await notify.deliveries_of(posted.id, settled=3)

    [to_hans] = smtp_inbox.to(str(hans.email))
    [to_chloe] = smtp_inbox.to(str(chloe.email))
    [to_pablo] = smtp_inbox.to(str(pablo.email))
    assert to_hans["Subject"] == "Neue Offertanfrage: Tienda online"
    assert "Necesitamos una tienda online para vender vino." in text_of(to_hans)
    assert "Land: Spanien" in text_of(to_hans)
    assert to_chloe["Subject"] == "Nouvelle demande d'offre : Tienda online"
    for excerpt in (to_hans, to_chloe):
        assert str(pablo.email) not in text_of(excerpt)
        assert "Bodega Pablo" not in text_of(excerpt)
    assert to_pablo["Subject"] == "Su solicitud de oferta «Tienda online» ha sido enviada"
    [url] = [line for line in text_of(to_pablo).splitlines() if line.startswith("https://partnership.test/")]
    parts = urlsplit(url)
    assert parts.path == f"/v1/offer-requests/{request_id}/cancel"
    [token] = parse_qs(parts.query)["token"]
    verify_link(
        OFFER_LINK_KEY.encode(), token, "offer-request:cancel", request_id, expires_at, datetime.now(UTC)
    )
    html = to_pablo.get_body(preferencelist=("html",))
    assert html is not None
    assert f'href="{url}"' in html.get_content()


async def test_a_notice_for_an_organisation_notify_does_not_know_yet_waits_for_it(
    notify: RunningNotify, smtp_inbox: SmtpInbox
) -> None:
    partner = await notify.register_organisation("Early Partner Ltd", Locale.EN, "GB")
    client_id = uuid4()
    started = envelope(
        RelationshipStarted(
            relationship_id=uuid4(),
            partner_organisation_id=partner.organisation_id,
            client_organisation_id=client_id,
            access=Access.FULL,
            billing_mode=BillingMode.PARTNER_PAYS,
            started_at=datetime.now(UTC),
        ),
        source=PARTNERSHIP,
    )

    await notify.kafka.publish(started)
    await notify.fetch_until("SELECT 1 FROM parked_events WHERE event_id = $1", started.id)
    assert await notify.count("SELECT 1 FROM deliveries WHERE cause_event_id = $1", started.id) == 0
    client = await notify.register_organisation(
        "Late Client GmbH", Locale.DE, "AT", organisation_id=client_id
    )

    rows = await notify.deliveries_of(started.id, settled=2)
    assert {row["recipient"] for row in rows} == {partner.billing_email, client.billing_email}
    assert await notify.count("SELECT 1 FROM parked_events WHERE event_id = $1", started.id) == 0
    await asyncio.sleep(0)
    assert (
        smtp_inbox.to(client.billing_email)[0]["Subject"] == "Early Partner Ltd verwaltet jetzt Ihre Produkte"
    )
