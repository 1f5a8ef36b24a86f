"""E-mails in the recipient's language: Jinja2 templates, with money and dates formatted by Babel.

Each notification has a folder ``templates/<notification>/`` holding, for each language,
``<language>.subject.txt``, ``<language>.txt`` and ``<language>.html``. A language without
templates falls back to English. Numbers and dates follow the language as spoken in the
recipient's country (``en`` + ``CH`` formats as ``en_CH``: "CHF 119.00") when Babel knows that
combination, else the language alone.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, get_timezone
from babel.numbers import format_currency, get_currency_precision
from jinja2 import (
    Environment,
    PackageLoader,
    StrictUndefined,
    TemplateNotFound,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

FALLBACK_LANGUAGE = "en"
# Tessera invoices from Switzerland: a date in an e-mail is the Swiss calendar date, as on invoices.
DISPLAY_TIMEZONE = get_timezone("Europe/Zurich")
_LOCALE_VARIABLE = "babel_locale"
_PARTS = ("subject.txt", "txt", "html")


@dataclass(frozen=True)
class RenderedEmail:
    """The words of one e-mail, and the language they are in."""

    language: str
    subject: str
    text: str
    html: str


class TemplateRenderer:
    """Renders a notification's templates for one recipient."""

    def __init__(self) -> None:
        self._environment = Environment(
            loader=PackageLoader("tessera_notify", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self._environment.filters["money"] = _money
        self._environment.filters["long_date"] = _long_date

    def render(
        self, notification: str, language: str, country: str, facts: Mapping[str, object]
    ) -> RenderedEmail:
        """Subject, plain text and HTML of ``notification`` in ``language`` (or English)."""
        language = self._language_with_templates(notification, language)
        context = {**facts, _LOCALE_VARIABLE: _formatting_locale(language, country)}
        subject = self._render(f"{notification}/{language}.subject.txt", context)
        return RenderedEmail(
            language=language,
            subject=_one_line(subject),
            text=self._render(f"{notification}/{language}.txt", context),
            html=self._render(f"{notification}/{language}.html", context),
        )

    def _language_with_templates(self, notification: str, language: str) -> str:
        """The language itself when all three of its templates exist; English otherwise."""
        try:
            for part in _PARTS:
                self._environment.get_template(f"{notification}/{language}.{part}")
        except TemplateNotFound:
            return FALLBACK_LANGUAGE
        return language

    def _render(self, name: str, context: Mapping[str, Any]) -> str:
        return self._environment.get_template(name).render(context)


def _one_line(subject: str) -> str:
    """A subject is one header line, whatever the template's line breaks (no-break spaces stay)."""
    return " ".join(line.strip(" \t") for line in subject.splitlines() if line.strip())


def _formatting_locale(language: str, country: str) -> Locale:
    try:
        return Locale.parse(f"{language}_{country.upper()}")
    except (UnknownLocaleError, ValueError):
        return Locale.parse(language)


@pass_context
def _money(context: Context, amount_minor: int, currency: str) -> str:
    """An amount in minor units, e.g. ``11900 | money("CHF")``: Decimal only for display."""
    digits = get_currency_precision(currency)
    amount = Decimal(amount_minor).scaleb(-digits)
    return format_currency(amount, currency, locale=context[_LOCALE_VARIABLE])


@pass_context
def _long_date(context: Context, value: date | datetime) -> str:
    """A calendar date spelled out in the recipient's locale; an instant as its Swiss date."""
    if isinstance(value, datetime):
        value = value.astimezone(DISPLAY_TIMEZONE).date()
    return format_date(value, format="long", locale=context[_LOCALE_VARIABLE])
