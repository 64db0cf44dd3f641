"""How complete and how reviewed each UI language is.

Lives under ``src`` (not ``tools``) because ``docassist languages`` reports
it from an installed wheel, where only the package and its ``locales`` ship.

Review state is a ``#, reviewed`` flag on the entry in the ``.po`` file: it
sits next to the text a reviewer reads, Babel keeps flags across
``Catalog.update``, and a changed msgid becomes a new entry without the flag.
``sr_Latn`` copies the flags of ``sr`` (transliteration changes nothing a
reviewer judges). English is the source language: its entries count as
reviewed once present, since the msgids themselves pass code review.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog, Message

from docassist.i18n import DOMAIN, LANGUAGES, Language, catalogue_path
from docassist.i18n.catalogue import read_catalogue, translated_forms
from docassist.locations import locales_dir

REVIEWED_FLAG = "reviewed"

MessageKey = tuple[str, str | None]


def template_path(locales: Path | None = None) -> Path:
    """The extracted template all catalogues are updated from."""
    return (locales or locales_dir()) / f"{DOMAIN}.pot"


def message_key(message: Message) -> MessageKey:
    """Singular msgid and context: what identifies an entry across files."""
    singular = message.id if isinstance(message.id, str) else message.id[0]
    return singular, message.context


def entries(catalog: Catalog) -> list[Message]:
    """The real entries, without the header pseudo-entry."""
    return [message for message in catalog if message.id]


def is_translated(message: Message) -> bool:
    """Every form filled in and nothing left marked fuzzy."""
    strings = translated_forms(message)
    return bool(strings) and all(strings) and not message.fuzzy


def is_reviewed(message: Message, language: Language) -> bool:
    """Translated, and a reviewer flagged it (or it is the source language)."""
    if not is_translated(message):
        return False
    return language.is_source or REVIEWED_FLAG in message.flags


def language_stats(locales: Path | None = None) -> list[tuple[Language, float, float]]:
    """For each language in ``LANGUAGES``: (language, translated, reviewed) shares in [0, 1].

    The denominator is the template's entries, so a catalogue that was not
    updated after new strings were added shows as incomplete. Without a
    template, each catalogue is measured against itself.
    """
    template = template_path(locales)
    wanted = None
    if template.is_file():
        wanted = {message_key(m) for m in entries(read_catalogue(template))}
    stats = []
    for language in LANGUAGES:
        path = catalogue_path(language.code, locales)
        if not path.is_file():
            stats.append((language, 0.0, 0.0))
            continue
        present = {message_key(m): m for m in entries(read_catalogue(path, language))}
        keys = wanted if wanted is not None else set(present)
        if not keys:
            stats.append((language, 1.0, 1.0))
            continue
        found = [present[key] for key in keys if key in present]
        translated = sum(is_translated(m) for m in found)
        reviewed = sum(is_reviewed(m, language) for m in found)
        stats.append((language, translated / len(keys), reviewed / len(keys)))
    return stats
