"""Message catalogues: the English sentences of the templates, translated per language in a gettext
``.po`` file (``locales/<language>.po``), read with Babel when the service starts.

English is the source language: the templates are written in it, so a sentence a catalogue lacks
(missing, empty, fuzzy, or with other placeholders than the English one) is said in English. That
fallback is per sentence; :func:`translation_gaps` lists every such sentence, per language.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from jinja2 import Environment

SOURCE_LANGUAGE = "en"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class MessageCatalogue:
    """The translations of one language: English sentence -> translated sentence."""

    language: str
    messages: dict[str, str]

    def gettext(self, message: str) -> str:
        """The translation of ``message``, or ``message`` itself (English) when there is none."""
        return self.messages.get(message) or message

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """Plural forms are not used by the templates (Babel words durations); English rules apply."""
        return self.gettext(singular if count == 1 else plural)


def load_catalogue(language: str, locales_dir: Path = LOCALES_DIR) -> MessageCatalogue:
    """The usable translations of ``language`` (none for English, or a language without a file)."""
    path = locales_dir / f"{language}.po"
    if language == SOURCE_LANGUAGE or not path.is_file():
        return MessageCatalogue(language, {})
    return MessageCatalogue(language, dict(_usable(_read(path))))


def _read(path: Path) -> Catalog:
    with path.open("rb") as po:
        return read_po(po)


def _usable(catalog: Catalog) -> Iterator[tuple[str, str]]:
    """Translations a template can use: present, not fuzzy, with the English sentence's placeholders."""
    for message in catalog:
        if not isinstance(message.id, str) or not message.id:
            continue
        if not isinstance(message.string, str) or not message.string or message.fuzzy:
            continue
        if placeholders(message.id) != placeholders(message.string):
            continue
        yield message.id, message.string


def placeholders(sentence: str) -> set[str]:
    """The named ``%(name)s`` placeholders of a sentence."""
    return set(_PLACEHOLDER.findall(sentence))


def template_sentences(environment: Environment, template_names: Iterable[str]) -> dict[str, set[str]]:
    """Every sentence the templates translate, with the templates using it."""
    loader = environment.loader
    assert loader is not None
    found: dict[str, set[str]] = {}
    for name in template_names:
        source = loader.get_source(environment, name)[0]
        for _line, _function, message in environment.extract_translations(source):  # type: ignore[attr-defined]
            sentence = message[0] if isinstance(message, tuple) else message
            if isinstance(sentence, str):
                found.setdefault(sentence, set()).add(name)
    return found


def gaps_of(sentences: Iterable[str], catalogue: MessageCatalogue) -> list[str]:
    """The sentences ``catalogue`` does not translate (they are said in English), sorted."""
    return sorted(sentence for sentence in sentences if sentence not in catalogue.messages)
