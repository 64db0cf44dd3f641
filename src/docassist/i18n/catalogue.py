"""Catalogues as Babel reads them, for the tools that check and write them.

tools/i18n.py, ``docassist languages`` and the catalogue tests need a catalogue's
comments, flags and locations; the app itself only translates, and reads its
catalogues without Babel (:mod:`docassist.i18n.pofile`), so a start does not pay
for importing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileParser

from docassist.i18n import DOMAIN, Language, nplurals, plural_expression

__all__ = ["LanguageCatalog", "read_catalogue", "translated_forms"]


class LanguageCatalog(Catalog):
    """A Babel catalogue whose plural rule comes from ``LANGUAGES``, not its header.

    Babel sizes every msgstr list by the header's nplurals while parsing, so a
    lost or wrong header (Babel drops rom's) would silently cut Serbian's three
    forms to two, or rom's two to one.
    """

    def __init__(self, language: Language, **kwargs: Any) -> None:
        kwargs.setdefault("domain", DOMAIN)
        super().__init__(**kwargs)
        self.language = language

    @property
    def num_plurals(self) -> int:
        return nplurals(self.language)

    @property
    def plural_expr(self) -> str:
        return plural_expression(self.language)


def read_catalogue(
    source: Path | BinaryIO, language: Language | None = None, *, abort_invalid: bool = False
) -> Catalog:
    """Parse a ``.po`` (with ``language``) or ``.pot`` file without compiling it."""
    catalog = LanguageCatalog(language) if language else Catalog(domain=DOMAIN)
    parser = PoFileParser(catalog, ignore_obsolete=False, abort_invalid=abort_invalid)
    if isinstance(source, Path):
        with source.open("rb") as po:
            parser.parse(po)
    else:
        parser.parse(source)
    return catalog


def translated_forms(message: Message) -> Sequence[object]:
    """What a translator filled in for ``message``: one string, or one per plural form.

    Babel types ``Message.string`` as either shape; which one it holds follows from
    the msgid (a plural entry always holds a tuple, empty strings when untranslated).
    """
    string = message.string
    if message.pluralizable and string is not None:
        return string
    return [string]
