"""E-mails in the recipient's language: one Jinja2 template per notification, worded through the
language's message catalogue, laid out as HTML and as plain text; money and dates formatted by Babel.

``templates/notifications/<notification>.j2`` holds a notification's subject and body blocks, in
English, every sentence wrapped in ``_()``. It extends ``layout`` (``layout.html.j2`` or
``layout.txt.j2``) and writes its paragraphs, lists and links with the layout's helpers (``p``,
``items``, ``link``, ``rows``), so one template yields both the HTML and the text part. Sentences
come from ``locales/<language>.po`` (see :mod:`tessera_notify.adapters.translations`): a sentence
without a translation is said in English; a language Tessera does not speak is English throughout.

Numbers and dates follow the language as spoken in the recipient's country (``en`` + ``CH`` formats
as ``en_CH``: "CHF 119.00") when Babel knows that combination, else the language alone.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_timezone
from babel.numbers import format_currency, get_currency_precision
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from tessera_notify.adapters.translations import (
    LOCALES_DIR,
    SOURCE_LANGUAGE,
    MessageCatalogue,
    load_catalogue,
)
from tessera_notify.domain.notices import Amount

LANGUAGES = ("en", "de", "fr", "it", "es")
FALLBACK_LANGUAGE = SOURCE_LANGUAGE
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
# Tessera invoices from Switzerland: a date in an e-mail is the Swiss calendar date, as on invoices.
DISPLAY_TIMEZONE = get_timezone("Europe/Zurich")
_LOCALE_VARIABLE = "babel_locale"
_LAYOUTS = {"html": "layout.html.j2", "text": "layout.txt.j2"}


@dataclass(frozen=True)
class RenderedEmail:
    """The words of one e-mail, and the language they are in."""

    language: str
    subject: str
    text: str
    html: str


class TemplateRenderer:
    """Renders a notification's template for one recipient, in HTML and in plain text."""

    def __init__(self, templates_dir: Path = TEMPLATES_DIR, locales_dir: Path = LOCALES_DIR) -> None:
        self._templates_dir = templates_dir
        self._locales_dir = locales_dir
        self._environments: dict[tuple[str, str], Environment] = {}

    def notifications(self) -> list[str]:
        """Every notification there is a template for."""
        return sorted(path.stem for path in (self._templates_dir / "notifications").glob("*.j2"))

    def template_names(self) -> list[str]:
        """Every template, layouts included (what the catalogues translate)."""
        layouts = sorted(_LAYOUTS.values())
        return layouts + [f"notifications/{name}.j2" for name in self.notifications()]

    def render(
        self, notification: str, language: str, country: str, facts: Mapping[str, object]
    ) -> RenderedEmail:
        """Subject, plain text and HTML of ``notification`` in ``language`` (English if not spoken)."""
        language = language if language in LANGUAGES else FALLBACK_LANGUAGE
        context = {
            **facts,
            "language": language,
            _LOCALE_VARIABLE: _formatting_locale(language, country),
        }
        name = f"notifications/{notification}.j2"
        text = self.environment(language, "text").get_template(name)
        html = self.environment(language, "html").get_template(name)
        return RenderedEmail(
            language=language,
            subject=_one_line(text.render({**context, "layout": _LAYOUTS["text"], "part": "subject"})),
            text=_tidy_text(text.render({**context, "layout": _LAYOUTS["text"], "part": "body"})),
            html=_tidy_html(html.render({**context, "layout": _LAYOUTS["html"], "part": "body"})),
        )

    def environment(self, language: str, kind: str) -> Environment:
        """The Jinja2 environment of one language and one output kind (``html`` escapes, ``text`` not)."""
        key = (language, kind)
        if key not in self._environments:
            self._environments[key] = self._build(load_catalogue(language, self._locales_dir), kind)
        return self._environments[key]

    def _build(self, catalogue: MessageCatalogue, kind: str) -> Environment:
        environment = Environment(
            loader=FileSystemLoader(self._templates_dir),
            autoescape=kind == "html",
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        )
        environment.install_gettext_callables(  # type: ignore[attr-defined]
            catalogue.gettext, catalogue.ngettext, newstyle=True
        )
        environment.globals.update(HTML_HELPERS if kind == "html" else TEXT_HELPERS)
        environment.filters.update(FILTERS)
        return environment


def _one_line(subject: str) -> str:
    """A subject is one header line, whatever the template's line breaks (no-break spaces stay)."""
    return " ".join(line.strip(" \t") for line in subject.splitlines() if line.strip())


def _tidy_text(text: str) -> str:
    """Paragraphs separated by one blank line, no trailing spaces, one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _tidy_html(html: str) -> str:
    return re.sub(r"\n\s*\n+", "\n", html).strip() + "\n"


# The layout helpers: the same call writes an HTML element or its plain-text form.
def _html_paragraph(sentence: str) -> Markup:
    return Markup("<p>{}</p>").format(sentence)


def _html_items(entries: Sequence[str]) -> Markup:
    listed = Markup("").join(Markup("<li>{}</li>").format(entry) for entry in entries)
    return Markup("<ul>{}</ul>").format(listed)


def _html_link(url: str, label: str) -> Markup:
    return Markup('<p><a href="{}" style="{}">{}</a></p>').format(
        url, "font-weight: bold; color: #0b57d0;", label
    )


def _html_rows(rows: Sequence[tuple[str, str]]) -> Markup:
    cells = Markup("").join(
        Markup('<tr><th scope="row" style="{}">{}</th><td style="{}">{}</td></tr>').format(
            "text-align: left; padding: 4px 12px 4px 0;", label, "padding: 4px 0;", value
        )
        for label, value in rows
    )
    return Markup('<table style="border-collapse: collapse; margin: 1em 0;">{}</table>').format(cells)


def _text_paragraph(sentence: str) -> str:
    return f"{sentence}\n"


def _text_items(entries: Sequence[str]) -> str:
    return "".join(f"- {entry}\n" for entry in entries)


def _text_link(url: str, label: str) -> str:
    return f"{label}:\n{url}\n"


def _text_rows(rows: Sequence[tuple[str, str]]) -> str:
    return "".join(f"{label}: {value}\n" for label, value in rows)


HTML_HELPERS: dict[str, Callable[..., Any]] = {
    "p": _html_paragraph,
    "items": _html_items,
    "link": _html_link,
    "rows": _html_rows,
}
TEXT_HELPERS: dict[str, Callable[..., Any]] = {
    "p": _text_paragraph,
    "items": _text_items,
    "link": _text_link,
    "rows": _text_rows,
}


@cache
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
def _amount(context: Context, amount: Amount) -> str:
    """An :class:`Amount` in the recipient's conventions, e.g. "CHF 119.00" or "119,00 €"."""
    result: str = _money(context, amount.amount_minor, amount.currency)
    return result


@pass_context
def _long_date(context: Context, value: date | datetime) -> str:
    """A calendar date spelled out in the recipient's locale; an instant as its Swiss date."""
    if isinstance(value, datetime):
        value = value.astimezone(DISPLAY_TIMEZONE).date()
    return format_date(value, format="long", locale=context[_LOCALE_VARIABLE])


@pass_context
def _date_time(context: Context, value: datetime) -> str:
    """An instant as the Swiss date and time, e.g. "2 March 2026, 10:30 CET", in the locale's order."""
    locale: Locale = context[_LOCALE_VARIABLE]
    day = format_date(value.astimezone(DISPLAY_TIMEZONE).date(), format="long", locale=locale)
    time = format_time(value, format="short", tzinfo=DISPLAY_TIMEZONE, locale=locale)
    zone = format_time(value, format="z", tzinfo=DISPLAY_TIMEZONE, locale=locale)
    pattern = str(locale.datetime_formats["long"]).replace("'", "")
    return pattern.format(f"{time} {zone}", day)


@pass_context
def _country_name(context: Context, code: str) -> str:
    """A country's name in the recipient's language, e.g. "CH" -> "Schweiz"."""
    name: str = context[_LOCALE_VARIABLE].territories.get(code, code)
    return name


@pass_context
def _language_name(context: Context, code: str) -> str:
    """A language's name in the recipient's language, e.g. "fr" -> "francés"."""
    name: str = context[_LOCALE_VARIABLE].languages.get(code, code)
    return name


FILTERS: dict[str, Callable[..., Any]] = {
    "country_name": _country_name,
    "language_name": _language_name,
    "money": _money,
    "amount": _amount,
    "long_date": _long_date,
    "date_time": _date_time,
}
