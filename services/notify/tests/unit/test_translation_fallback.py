"""A sentence without a translation is said in English; the rest of the e-mail stays in the language."""

import shutil
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from tessera_notify.adapters.templates import TEMPLATES_DIR, TemplateRenderer
from tessera_notify.adapters.translations import LOCALES_DIR, gaps_of, load_catalogue, template_sentences
from tessera_notify.samples import SAMPLES

DROPPED = "Your product %(product)s renews on %(date)s."


def locales_without(tmp_path: Path, language: str, sentence: str, replacement: str | None = None) -> Path:
    """A copy of the catalogues in which ``sentence`` is untranslated (or translated as ``replacement``)."""
    copied = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, copied)
    path = copied / f"{language}.po"
    with path.open("rb") as po:
        catalog = read_po(po)
    if replacement is None:
        catalog.delete(sentence)
    else:
        catalog[sentence].string = replacement
    with path.open("wb") as po:
        write_po(po, catalog)
    return copied


def test_a_missing_translation_is_said_in_english_and_listed_as_a_gap(tmp_path: Path) -> None:
    locales = locales_without(tmp_path, "de", DROPPED)
    renderer = TemplateRenderer(TEMPLATES_DIR, locales)

    email = renderer.render("renewal_reminder", "de", "CH", SAMPLES["renewal_reminder"][0])
    sentences = template_sentences(renderer.environment("en", "text"), renderer.template_names())

    assert email.language == "de"
    assert email.text.startswith("Guten Tag")
    assert "Your product Web Hosting Pro renews on 1. April 2026." in email.text
    assert "Preis der nächsten Periode" in email.text
    assert gaps_of(sentences, load_catalogue("de", locales)) == [DROPPED]
    assert gaps_of(sentences, load_catalogue("fr", locales)) == []


def test_a_translation_that_loses_a_placeholder_is_not_used(tmp_path: Path) -> None:
    locales = locales_without(tmp_path, "fr", DROPPED, replacement="Votre produit est renouvelé le %(date)s.")
    renderer = TemplateRenderer(TEMPLATES_DIR, locales)

    email = renderer.render("renewal_reminder", "fr", "FR", SAMPLES["renewal_reminder"][0])

    assert "Your product Web Hosting Pro renews on 1 avril 2026." in email.text
    assert email.text.startswith("Bonjour")


def test_a_language_tessera_does_not_speak_is_english_throughout() -> None:
    email = TemplateRenderer().render("invoice_issued", "pt", "BR", SAMPLES["invoice_issued"][0])

    assert email.language == "en"
    assert email.text.startswith("Hello")
    assert '<html lang="en">' in email.html
