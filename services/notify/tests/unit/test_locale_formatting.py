"""Money and dates as the recipient reads them at home, in the e-mails of the whole catalogue."""

import pytest

from tessera_notify.adapters.templates import TemplateRenderer
from tessera_notify.samples import SAMPLES

RENDERER = TemplateRenderer()


def plain(text: str) -> str:
    """Babel uses no-break spaces (and narrow ones); compare with plain spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize(
    ("language", "country", "total", "due"),
    [
        ("en", "CH", "CHF 128.16", "1 April 2026"),
        ("de", "CH", "CHF 128.16", "1. April 2026"),
        ("de", "DE", "128,16 CHF", "1. April 2026"),
        ("fr", "FR", "128,16 CHF", "1 avril 2026"),
        ("it", "IT", "128,16 CHF", "1 aprile 2026"),
        ("es", "ES", "128,16 CHF", "1 de abril de 2026"),
    ],
)
def test_an_invoice_total_and_due_date_follow_the_recipients_conventions(
    language: str, country: str, total: str, due: str
) -> None:
    email = RENDERER.render("invoice_issued", language, country, SAMPLES["invoice_issued"][0])

    assert total in plain(email.subject)
    assert due in plain(email.subject)
    assert total in plain(email.text)


def test_an_instant_is_shown_as_swiss_local_time() -> None:
    email = RENDERER.render("payment_failed", "en", "CH", SAMPLES["payment_failed"][0])

    # 30 March 2026, 22:00 UTC is already 31 March in Zurich (summer time).
    assert "31 March 2026, 00:00" in plain(email.text)


def test_an_offer_request_names_country_and_languages_in_the_partners_language() -> None:
    email = RENDERER.render("offer_request_received", "es", "ES", SAMPLES["offer_request_received"][0])

    assert "País: Suiza" in email.text
    assert "francés, alemán" in email.text
