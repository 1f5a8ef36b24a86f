"""The Manager in a browser, against every service in its own process: the help pages' click paths.

Each test prepares people through the services' APIs, then a person's clicks run in Chromium
(``console/e2e/*.mjs``), and the test checks what they caused: e-mails in the SMTP inbox, tokens that
work and stop working, cards and charges. Screenshots of each step: ``.local/screenshots/console/``.
"""

import asyncio
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from conftest import ConsoleSuite, admit_and_list, run_scenario

from tessera_devtools.services import DEV_STRIPE_WEBHOOK_SECRET
from tessera_devtools.smtp_inbox import message_files, parse_message
from tessera_devtools.story import expect

pytestmark = pytest.mark.e2e


async def mail(suite: ConsoleSuite, to: set[str], notification: str, timeout: float = 60.0) -> EmailMessage:
    """The first ``notification`` e-mail to one of ``to`` (waiting for it; the inbox is shared)."""
    for _ in range(int(timeout / 0.25)):
        for path in message_files(suite.maildir):
            message = parse_message(path)
            if message["To"] in to and message["X-Tessera-Notification"] == notification:
                return message
        await asyncio.sleep(0.25)
    raise AssertionError(f"no {notification} e-mail to {to} within {timeout:.0f} s")


async def test_a_client_switches_its_partner_to_partner_pays_and_the_partner_is_emailed(
    console_suite: ConsoleSuite, operator: dict[str, str]
) -> None:
    client = await console_suite.register("Boulangerie Dupont SA", "FR", "fr")
    partner = await console_suite.register("Alpenweb Partner AG", "CH", "de")
    await admit_and_list(console_suite, partner, operator)

    seen = await asyncio.to_thread(
        run_scenario,
        console_suite,
        "headline",
        {"client": client.scenario_input(), "partner": partner.scenario_input()},
    )

    assert "partner will be notified of the change by e-mail" in seen["confirmation"]
    assert "From " in seen["confirmation"]
    assert "Partner pays" in seen["notice"]
    emailed = await mail(console_suite, {partner.billing_email}, "billing_mode_changed")
    assert emailed["Content-Language"] == "de"
    assert "Partner zahlt" in emailed["Subject"]


async def test_a_partner_opens_a_received_offer_request_and_the_client_cancels_it_from_the_email(
    console_suite: ConsoleSuite, operator: dict[str, str]
) -> None:
    partner = await console_suite.register("Alpenweb Offers AG", "CH", "de")
    client = await console_suite.register("Käserei Muster GmbH", "CH", "en")
    await admit_and_list(console_suite, partner, operator)
    request = {
        "title": "New web shop for our cheese dairy",
        "description": "We sell cheese online and need a shop with payments and a partner to run it.",
        "country": "CH",
        "languages": "de, en",
        "contact_name": "Anna Muster",
        "contact_email": f"anna-{client.organisation_id[:8]}@example.com",
    }

    seen = await asyncio.to_thread(
        run_scenario,
        console_suite,
        "offer-request",
        {"client": client.scenario_input(), "partner": partner.scenario_input(), "request": request},
    )

    assert seen["contact_before"] == 0
    assert seen["contact_after"] >= 1
    confirmation = await mail(console_suite, {client.billing_email, client.email}, "offer_request_confirmed")
    body = confirmation.get_body(("plain",))
    assert body is not None
    link = next(word for word in str(body.get_content()).split() if "/cancel?token=" in word)
    # Whichever notify replica wrote the link, its path and signed token open the console's page.
    parts = urlsplit(link)
    await asyncio.to_thread(
        run_scenario,
        console_suite,
        "cancel-link",
        {"link": f"{console_suite.console_url}{parts.path}?{parts.query}"},
    )
    requests = f"{console_suite.url('partnership')}/v1/organisations/{client.organisation_id}/offer-requests"
    listed = await console_suite.http.get(requests, headers=client.auth)
    assert [request["status"] for request in listed.json()] == ["cancelled"]


async def test_a_user_creates_an_api_token_sees_it_once_and_revokes_it(console_suite: ConsoleSuite) -> None:
    user = await console_suite.register("Newsletter Agentur GmbH", "DE", "de")

    seen = await asyncio.to_thread(run_scenario, console_suite, "api-token", {"user": user.scenario_input()})

    assert seen["refusal"]
    assert seen["exchanged_before"] == 200
    assert seen["shown_after_reload"] == 0
    assert seen["exchanged_after"] == 401


async def test_a_client_adds_a_card_tops_up_its_wallet_and_sees_the_charge_and_its_credits(
    console_suite: ConsoleSuite, operator: dict[str, str]
) -> None:
    client = await console_suite.register("Wallet Kunde AG", "CH", "de")
    scenario = {
        "client": client.scenario_input(),
        "billing_url": console_suite.url("billing"),
        "webhook_secret": DEV_STRIPE_WEBHOOK_SECRET,
    }

    charged = await asyncio.to_thread(run_scenario, console_suite, "card-and-wallet", scenario)
    wallet = f"{console_suite.url('wallet')}/v1/organisations/{client.organisation_id}/wallets/CHF"
    granted = await console_suite.http.post(
        f"{wallet}/complimentary-credits", json={"amount_minor": 1500, "note": "welcome"}, headers=operator
    )
    expect(granted, 201)
    credited = await asyncio.to_thread(
        run_scenario,
        console_suite,
        "wallet-credits",
        {"client": client.scenario_input(), "amount_text": "CHF 15.00"},
    )

    # stripe-mock answers every PaymentIntent with requires_payment_method: the top-up is declined,
    # and the console says so in words while the charge shows in the list.
    assert charged["top_up_status"] in {201, 202, 402}
    assert charged["charge_rows"] >= 2
    if charged["top_up_status"] == 402:
        assert "not charged" in charged["top_up_message"]
    assert credited["amount_seen"] >= 1
    assert credited["balance"].replace("\xa0", " ") == "CHF 15.00"


async def test_every_page_passes_axe_in_five_languages_and_shows_api_errors_in_words(
    console_suite: ConsoleSuite,
) -> None:
    user = await console_suite.register("Axe Prüfung GmbH", "CH", "de")

    seen = await asyncio.to_thread(run_scenario, console_suite, "every-page", {"user": user.scenario_input()})

    assert seen["headings"]["billing"] == "Facturación"
    assert len(seen["axe_checked"]) >= 15
    assert seen["problem"].strip()
