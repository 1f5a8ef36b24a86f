"""An offer request across identity, partnership and notify, each in its own process.

A company joins the partner programme and opts in to the directory; a client posts a need; notify
e-mails the partner the excerpt and the client a confirmation with a signed cancel link; the partner
opens the request and sees the contact details; the client follows the link and the request is
cancelled at once: the partner can no longer open it.
"""

import re
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from tessera_devtools.services import RunningServices, start_services
from tessera_devtools.smtp_inbox import message_files, parse_message
from tessera_devtools.story import Organisation, Story, eventually, expect
from tessera_devtools.testing import KafkaProbe, TokenIssuer, envelope
from tessera_devtools.testing import eventually as until_true
from tessera_events.identity import Role

pytestmark = pytest.mark.e2e

OPERATOR = UUID("0a0a0a0a-0000-4000-8000-0000000000e4")
SETTINGS = {
    "PARTNERSHIP_PROGRAMME_ADMIN_ORGANISATION_IDS": f'["{OPERATOR}"]',
    # The applicant's website is on example.ch: judge the address, do not fetch it.
    "PARTNERSHIP_WEBSITE_CHECK_ENABLED": "false",
}
SERVICES = ("identity", "partnership", "notify")


@pytest.fixture(scope="module")
def services(tessera_infra_provider: Any) -> Iterator[RunningServices]:
    """identity, partnership (knowing the programme's operator) and notify, each in its own process."""
    running = start_services(
        tessera_infra_provider.endpoints,
        SERVICES,
        session=tessera_infra_provider.session,
        ready_timeout=180,
        settings=SETTINGS,
    )
    yield running
    running.stop()


@pytest.fixture
async def story(infra: Any, services: RunningServices) -> Any:
    driver = Story({name: services.url(name) for name in SERVICES}, infra.kafka_bootstrap)
    yield driver
    await driver.close()


@pytest.fixture
async def operator(infra: Any, story: Story) -> dict[str, str]:
    """A programme administrator's token, signed with a key published on identity's signing-keys topic
    as identity does, for the operator organisation partnership is configured with."""
    issuer = TokenIssuer("")
    async with KafkaProbe(infra.kafka_bootstrap) as kafka:
        await kafka.publish(envelope(issuer.signing_key_published(), source="/tessera/identity"))
    headers = issuer.headers({OPERATOR: Role.ADMINISTRATOR})

    async def trusted() -> bool:
        response = await story.http.get(
            f"{story.urls['partnership']}/v1/partner-programme/partners", headers=headers
        )
        return response.status_code == 200

    await until_true(trusted, timeout=120, what="partnership trusting the operator's signing key")
    return headers


async def admitted_and_listed(story: Story, partner: Organisation, operator: dict[str, str]) -> None:
    """The partner applies, the operator admits it, it opts in to the directory."""
    base = f"{story.urls['partnership']}/v1"
    application = {
        "website_url": "https://alpenweb.example.ch",
        "accepts_reseller_terms": True,
        "annual_commitment": {"amount_minor": 200_000, "currency": "CHF"},
        "registry_number": "CHE-109.322.551",
    }
    expect(
        await eventually(
            lambda: story.http.post(
                f"{base}/organisations/{partner.organisation_id}/partner-programme/application",
                json=application,
                headers=partner.auth,
            ),
            accept={201, 409, 422},
            timeout=150,
        ),
        201,
    )
    expect(
        await story.http.put(
            f"{base}/partner-programme/partners/{partner.organisation_id}/status",
            json={"status": "active"},
            headers=operator,
        ),
        200,
    )
    listing = {
        "website_url": "https://alpenweb.example.ch",
        "languages": ["de", "fr"],
        "specialties": ["shops"],
    }
    expect(
        await story.http.put(
            f"{base}/organisations/{partner.organisation_id}/directory-listing",
            json=listing,
            headers=partner.auth,
        ),
        200,
    )


def mail_to(maildir: Path, before: int, organisation: Organisation, containing: str) -> EmailMessage | None:
    """The first message to the organisation (its billing address or its legal representative) after the
    first ``before`` whose subject or text contains ``containing`` (the inbox is shared)."""
    addresses = {organisation.billing_email, organisation.billing_email.removeprefix("billing-")}
    for path in message_files(maildir)[before:]:
        message = parse_message(path)
        if message["To"] in addresses and containing in f"{message['Subject']}\n{body_of(message)}":
            return message
    return None


def body_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    return "" if part is None else str(part.get_content())


async def test_a_partner_opens_an_offer_request_until_the_client_cancels_it_by_the_emailed_link(
    infra: Any, story: Story, operator: dict[str, str]
) -> None:
    partner = await story.register("Offer Partner AG", "CH", "de")
    client = await story.register("Offer Client SA", "FR", "fr")
    await admitted_and_listed(story, partner, operator)
    before = len(message_files(infra.maildir))

    posted = expect(
        await story.http.post(
            f"{story.urls['partnership']}/v1/organisations/{client.organisation_id}/offer-requests",
            json={
                "title": "Online shop for a bakery",
                "description": "We need a small online shop with 30 products and card payments, in French.",
                "country": "FR",
                "languages": ["fr"],
                "contact": {"name": "Claire Dupont", "email": "claire@example.fr"},
            },
            headers=client.auth,
        ),
        201,
    )
    request_id = posted["offer_request_id"]
    excerpt = await until_true(
        lambda: _mail(infra.maildir, before, partner, "Online shop for a bakery"), timeout=90
    )
    confirmation = await until_true(
        lambda: _mail(infra.maildir, before, client, f"/v1/offer-requests/{request_id}/cancel"),
        timeout=90,
    )
    link = re.search(
        r"https?://\S+/v1/offer-requests/" + request_id + r"/cancel\?token=[\w%-]+", body_of(confirmation)
    )
    assert link is not None, body_of(confirmation)
    assert "claire@example.fr" not in body_of(excerpt)
    open_url = (
        f"{story.urls['partnership']}/v1/organisations/{partner.organisation_id}/received-offer-requests/"
        f"{request_id}/open"
    )
    opened = expect(await story.http.post(open_url, headers=partner.auth), 200)
    assert opened["contact"]["email"] == "claire@example.fr"

    cancelled = expect(await story.http.get(link.group(0)), 200)

    assert cancelled["status"] == "cancelled"
    refused = await story.http.post(open_url, headers=partner.auth)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"


async def _mail(
    maildir: Path, before: int, organisation: Organisation, containing: str
) -> EmailMessage | None:
    return mail_to(maildir, before, organisation, containing)
