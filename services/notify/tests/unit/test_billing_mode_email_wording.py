"""The billing-mode e-mail, worded for each party in its own language, with Babel's money and dates."""

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from tessera_notify.adapters.templates import RenderedEmail, TemplateRenderer
from tessera_notify.domain.billing_mode import BillingMode, BillingModeChange, MovedRenewal
from tessera_notify.domain.notices import Notice, Recipient

RENDERER = TemplateRenderer()


def organisation(name: str, language: str, country: str) -> Recipient:
    return Recipient(
        organisation_id=uuid4(),
        name=name,
        address=f"billing@{name.lower().replace(' ', '-')}.example",
        language=language,
        country=country,
    )


def change(
    partner: Recipient, client: Recipient, mode: BillingMode, currency: str = "CHF"
) -> BillingModeChange:
    return BillingModeChange(
        relationship_id=uuid4(),
        partner=partner,
        client=client,
        mode=mode,
        effective_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        renewals=(
            MovedRenewal(
                product_name="Web Hosting",
                amount_minor=11900,
                currency=currency,
                next_renewal_on=date(2026, 4, 1),
            ),
        ),
    )


def render(notice: Notice) -> RenderedEmail:
    recipient = notice.recipient
    return RENDERER.render(notice.notification, recipient.language, recipient.country, notice.facts)


def plain(text: str) -> str:
    """Babel separates amount and currency with a no-break space; compare with a plain one."""
    return text.replace("\u00a0", " ")


@pytest.mark.parametrize(
    ("language", "country", "currency", "mode_words", "renewal_words", "renewal_date", "price"),
    [
        ("en", "CH", "CHF", "partner pays", "next renewal on", "1 April 2026", "CHF 119.00"),
        ("de", "DE", "EUR", "Partner zahlt", "nächste Verlängerung am", "1. April 2026", "119,00 €"),
        ("fr", "FR", "EUR", "le partenaire paie", "prochain renouvellement le", "1 avril 2026", "119,00 €"),
        ("it", "IT", "EUR", "paga il partner", "prossimo rinnovo il", "1 aprile 2026", "119,00 €"),
        ("es", "ES", "EUR", "paga el socio", "próxima renovación el", "1 de abril de 2026", "119,00 €"),
    ],
)
def test_partner_is_told_in_its_own_language_that_it_now_pays_its_clients_renewals(
    language: str,
    country: str,
    currency: str,
    mode_words: str,
    renewal_words: str,
    renewal_date: str,
    price: str,
) -> None:
    partner = organisation("Pixel Partners", language, country)
    client = organisation("Dupont Bakery", "en", "CH")

    notice = change(partner, client, BillingMode.PARTNER_PAYS, currency).notices()[0]
    email = render(notice)

    assert notice.recipient == partner
    assert email.language == language
    assert email.subject
    assert email.text
    assert email.html
    assert "\n" not in email.subject
    assert mode_words in email.subject
    assert "Dupont Bakery" in email.subject
    for body in (plain(email.text), plain(email.html)):
        assert mode_words in body
        assert "Dupont Bakery" in body
        assert "Web Hosting" in body
        assert price in body
        assert renewal_date in body
    assert f"{renewal_words} {renewal_date}" in plain(email.text)
    assert f'<html lang="{language}">' in email.html


@pytest.mark.parametrize(
    ("language", "mode_words", "greeting"),
    [
        ("en", "client pays", "Hello"),
        ("de", "Kunde zahlt", "Guten Tag"),
        ("fr", "le client paie", "Bonjour"),
        ("it", "paga il cliente", "Buongiorno"),
        ("es", "paga el cliente", "Hola"),
    ],
)
def test_client_is_told_in_its_own_language_that_it_pays_again(
    language: str, mode_words: str, greeting: str
) -> None:
    partner = organisation("Pixel Partners", "en", "CH")
    client = organisation("Dupont Bakery", language, "CH")

    notice = change(partner, client, BillingMode.CLIENT_PAYS).notices()[1]
    email = render(notice)

    assert notice.recipient == client
    assert mode_words in email.subject
    assert "Pixel Partners" in email.subject
    assert email.text.startswith(greeting)
    assert mode_words in email.text
    assert mode_words in email.html


def test_swiss_and_german_recipients_see_money_formatted_as_at_home() -> None:
    swiss = render(
        change(
            organisation("Alpen IT", "de", "CH"), organisation("B", "de", "CH"), BillingMode.PARTNER_PAYS
        ).notices()[0]
    )
    german = render(
        change(
            organisation("Rhein IT", "de", "DE"), organisation("B", "de", "DE"), BillingMode.PARTNER_PAYS
        ).notices()[0]
    )

    assert "CHF 119.00" in plain(swiss.text)
    assert "119,00 CHF" in plain(german.text)


def test_effective_date_is_the_swiss_calendar_date() -> None:
    partner = organisation("Pixel Partners", "en", "CH")
    late_evening = BillingModeChange(
        relationship_id=uuid4(),
        partner=partner,
        client=organisation("Dupont Bakery", "en", "CH"),
        mode=BillingMode.PARTNER_PAYS,
        effective_at=datetime(2026, 2, 28, 23, 30, tzinfo=UTC),
        renewals=(),
    )

    email = render(late_evening.notices()[0])

    assert "From 1 March 2026," in email.text
    assert "No subscription is affected" in email.text


def test_organisation_names_cannot_inject_html() -> None:
    partner = organisation("Pixel Partners", "en", "CH")
    client = organisation("<script>alert(1)</script> & Co", "en", "CH")

    email = render(change(partner, client, BillingMode.PARTNER_PAYS).notices()[0])

    assert "<script>" not in email.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in email.html
    assert "<script>alert(1)</script> & Co" in email.text


def test_a_language_without_templates_falls_back_to_english() -> None:
    partner = organisation("Pixel Partners", "pt", "BR")
    client = organisation("Dupont Bakery", "fr", "FR")

    email = render(change(partner, client, BillingMode.PARTNER_PAYS).notices()[0])

    assert email.language == "en"
    assert "partner pays" in email.subject
    assert email.text.startswith("Hello Pixel Partners")
    assert '<html lang="en">' in email.html
