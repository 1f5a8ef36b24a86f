"""Every notification of the catalogue renders in every language, as HTML and as plain text, and
no sentence of any template lacks a translation (the gaps, if any, are listed by name)."""

import html
from html.parser import HTMLParser

import pytest

from tessera_notify.adapters.templates import LANGUAGES, TemplateRenderer
from tessera_notify.adapters.translations import gaps_of, load_catalogue, template_sentences
from tessera_notify.domain.catalogue import CATALOGUE
from tessera_notify.samples import SAMPLES

RENDERER = TemplateRenderer()
GREETINGS = {"en": "Hello", "de": "Guten Tag", "fr": "Bonjour", "it": "Buongiorno", "es": "Hola"}
SIGN_OFFS = {
    "en": "The Tessera team",
    "de": "Ihr Tessera-Team",
    "fr": "L'équipe Tessera",
    "it": "Il team di Tessera",
    "es": "El equipo de Tessera",
}
CASES = [
    pytest.param(notification, variant, language, id=f"{notification}-{variant}-{language}")
    for notification, variants in SAMPLES.items()
    for variant in range(len(variants))
    for language in LANGUAGES
]


class _Tags(HTMLParser):
    """Checks that every opened element is closed, in order (void elements aside)."""

    VOID = frozenset({"meta", "br", "img", "hr", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.mismatches: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.mismatches.append(tag)


def test_the_catalogue_the_templates_and_the_samples_name_the_same_notifications() -> None:
    assert set(RENDERER.notifications()) == set(CATALOGUE) == set(SAMPLES)


@pytest.mark.parametrize(("notification", "variant", "language"), CASES)
def test_every_notification_renders_in_every_language_as_html_and_text(
    notification: str, variant: int, language: str
) -> None:
    email = RENDERER.render(notification, language, "CH", SAMPLES[notification][variant])

    assert email.language == language
    assert email.subject.strip()
    assert "\n" not in email.subject
    assert email.text.startswith(GREETINGS[language])
    assert SIGN_OFFS[language] in email.text
    assert "<p>" not in email.text  # plain text carries no markup
    assert f'<html lang="{language}">' in email.html
    assert SIGN_OFFS[language] in html.unescape(email.html)
    tags = _Tags()
    tags.feed(email.html)
    assert tags.mismatches == []
    assert tags.open == []


def test_translations_have_no_gaps() -> None:
    sentences = template_sentences(RENDERER.environment("en", "text"), RENDERER.template_names())
    gaps = {
        language: gaps_of(sentences, load_catalogue(language)) for language in LANGUAGES if language != "en"
    }

    listing = "\n".join(
        f"{language}: {sentence!r}" for language, missing in gaps.items() for sentence in missing
    )
    assert not listing, f"sentences said in English for want of a translation:\n{listing}"


def test_the_catalogues_translate_no_sentence_the_templates_no_longer_use() -> None:
    sentences = template_sentences(RENDERER.environment("en", "text"), RENDERER.template_names())

    obsolete = {
        language: sorted(set(load_catalogue(language).messages) - set(sentences))
        for language in LANGUAGES
        if language != "en"
    }

    assert obsolete == {language: [] for language in LANGUAGES if language != "en"}
