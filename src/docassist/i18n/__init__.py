"""The UI languages, their catalogues and locale-aware formatting.

``LANGUAGES`` is the one place that says which languages docassist speaks.
Catalogues are the ``.po`` files under ``locales/<code>/LC_MESSAGES``; they
are read when first used (:mod:`docassist.i18n.pofile`), so no ``.mo`` file
can go stale. Babel is imported only to format a date or a decimal, and by the
tools that write catalogues (:mod:`docassist.i18n.catalogue`): importing it and
its locale data cost every start about a tenth of a second.

The active language lives in a module-level holder, not a ``ContextVar``:
Textual runs every mounted widget in its own asyncio task, and a task keeps
the context it was created with, so a ``ContextVar`` change would never reach
widgets already on screen. The UI subscribes with :func:`on_language_change`
and rebroadcasts through a Textual ``Signal``; this module stays free of
Textual and Rich so the headless layers (and the CLI) can use it.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docassist.domain import text as _domain_text
from docassist.domain.text import N_
from docassist.locations import locales_dir

if TYPE_CHECKING:
    import logging
    from decimal import Decimal

    from babel import Locale

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "SOURCE_LANGUAGE",
    "Language",
    "N_",
    "Translator",
    "_",
    "catalogue_path",
    "current_language",
    "format_date",
    "format_datetime",
    "format_decimal",
    "format_number",
    "format_percent",
    "get_language",
    "load_translations",
    "ngettext",
    "nplurals",
    "on_language_change",
    "pgettext",
    "plural_expression",
    "plural_function",
    "reload_catalogues",
    "remove_listener",
    "resolve_locale",
    "set_language",
    "translate_in",
    "translator",
]


def _log() -> logging.Logger:
    """This module's logger. Only a broken catalogue or locale logs: importing
    logging on the way to ``docassist --help`` is not worth its 5-10 ms."""
    import logging

    return logging.getLogger(__name__)


DOMAIN = "docassist"
SOURCE_LANGUAGE = "en"  # msgids are English; the en catalogue only mirrors them

# CLDR's rule for bs/hr/sh/sr (one: 1, 21, 31...; few: 2-4, 22-24...; other),
# spelled exactly as Babel derives it for sr, so the two can never disagree.
_SERBIAN_PLURALS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : "
    "n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)
_ONE_OTHER = "nplurals=2; plural=(n != 1);"


@dataclass(frozen=True)
class Language:
    """One UI language.

    ``format_locale`` is the CLDR locale used for dates and numbers; it differs
    from ``code`` because CLDR has no Romani and because the region matters
    (sr_Cyrl_RS writes "12. 5. 1987.").
    ``fallback`` names the catalogue consulted for a msgid this one lacks,
    before falling back to the English msgid itself.
    """

    code: str
    native_name: str
    format_locale: str
    script: str  # ISO 15924 in lower case: "latn" or "cyrl"
    plural_forms: str
    fallback: str | None = None

    @property
    def is_source(self) -> bool:
        """True for the language the msgids are written in."""
        return self.code == SOURCE_LANGUAGE


LANGUAGES: tuple[Language, ...] = (
    # en_GB, not en: day before month like every Serbian document, and a
    # four-digit year ("12/05/1987"); plain en gives "5/12/87", which misreads
    # a 1925 birth date as 2025 - fatal in a register of dates of birth.
    Language("en", "English", "en_GB", "latn", _ONE_OTHER),
    Language("sr", "Српски", "sr_Cyrl_RS", "cyrl", _SERBIAN_PLURALS),
    # Generated from sr by transliteration (tools/i18n.py); never hand-edited.
    Language("sr_Latn", "Srpski", "sr_Latn_RS", "latn", _SERBIAN_PLURALS),
    # CLDR has no Romani locale: dates and numbers follow Serbian Latin, which
    # is what Roma in Serbia read on every form. Plural rule: Romani has two
    # numbers (singular, plural); treating only n == 1 as singular is our
    # inference, UNCONFIRMED (domain.md 8.2) - ask a native speaker reviewer.
    # A msgid missing in rom shows in Serbian Latin, which readers know far
    # better than English.
    Language("rom", "Romani čhib", "sr_Latn_RS", "latn", _ONE_OTHER, fallback="sr_Latn"),
)

_BY_CODE = {language.code.lower(): language for language in LANGUAGES}


def get_language(code: str) -> Language:
    """The language for ``code``; accepts "sr-Latn" and any letter case too."""
    language = _BY_CODE.get(code.replace("-", "_").lower())
    if language is None:
        known = ", ".join(language.code for language in LANGUAGES)
        raise ValueError(f"unknown language {code!r}; docassist speaks {known}")
    return language


def catalogue_path(code: str, locales: Path | None = None) -> Path:
    """Where the ``.po`` file of language ``code`` lives."""
    return (locales or locales_dir()) / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def _plural_part(language: Language, name: str) -> str:
    match = re.search(rf"\b{name}\s*=\s*([^;]+)", language.plural_forms)
    if match is None:  # only reachable by a typo in LANGUAGES
        raise ValueError(f"no {name}= in {language.plural_forms!r}")
    return match.group(1).strip()


def plural_expression(language: Language) -> str:
    """The C expression of ``language``'s plural rule, as a ``.po`` header writes it."""
    return _plural_part(language, "plural")


def plural_function(language: Language) -> Callable[[int], int]:
    """The compiled plural rule of ``language`` (index into msgstr[])."""
    return gettext.c2py(plural_expression(language))


def nplurals(language: Language) -> int:
    """How many msgstr forms a plural entry has in ``language``."""
    return int(_plural_part(language, "nplurals"))


# -- loading catalogues -------------------------------------------------------


class _ProjectPlurals(gettext.GNUTranslations):
    """Translations filled from a ``.po`` file, their plural rule from the project table.

    Made without a file (``GNUTranslations`` then reads nothing); ``_catalog`` and
    ``plural`` are what its lookups use, and what it would set from a ``.mo``
    file's entries and header. typeshed declares neither, so both are declared here.
    """

    _catalog: dict[str | tuple[str, int], str]
    plural: Callable[[int], int]


def load_translations(code: str, locales: Path | None = None) -> gettext.NullTranslations:
    """Read one language's ``.po`` file, without fallbacks.

    A missing or broken catalogue yields ``NullTranslations`` (the English
    msgids) and a warning: a typo in a catalogue must never take the app down
    in front of a family at a counter; ``tools/i18n.py --check`` catches it.
    """
    from docassist.i18n.cache import cached_translations

    language = get_language(code)
    path = catalogue_path(language.code, locales)
    if not path.is_file():
        _log().warning("no catalogue for %s at %s; showing English", language.code, path)
        return gettext.NullTranslations()
    try:
        # Half-translated plural entries are left out (they would mix languages
        # inside one message): the fallback catalogue answers for them.
        catalogue = cached_translations(path, nplurals(language))  # kept from the last start
    except Exception:  # any read error: see the docstring
        _log().exception("catalogue %s is broken; showing English", path)
        return gettext.NullTranslations()
    translations = _ProjectPlurals()
    translations._catalog = catalogue
    # The project table, not the file header, decides plurals: update/compile
    # steps drop rom's Plural-Forms header (Babel knows no rom locale), and
    # gettext would then silently use its default rule.
    translations.plural = plural_function(language)
    return translations


@functools.cache
def _translations(code: str) -> gettext.NullTranslations:
    language = get_language(code)
    translations = load_translations(language.code)
    if language.fallback:
        translations.add_fallback(_translations(language.fallback))
    return translations


def reload_catalogues() -> None:
    """Forget compiled catalogues, e.g. after a translator saved a ``.po``."""
    _translations.cache_clear()
    _translators.cache_clear()


# -- translating ----------------------------------------------------------------


@dataclass(frozen=True)
class Translator:
    """The translation functions of one fixed language.

    Use it to show a second language next to the active one, e.g. a Romani
    label with the Serbian term the counter clerk will use.
    """

    language: Language
    translations: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self.translations.pgettext(context, message)


@functools.cache
def _translators(code: str) -> Translator:
    language = get_language(code)
    return Translator(language, _translations(language.code))


def translator(code: str) -> Translator:
    """The translation functions for language ``code`` (cached)."""
    return _translators(get_language(code).code)


def translate_in(code: str, message: str) -> str:
    """``message`` in language ``code``, whatever the active language is."""
    return translator(code).gettext(message)


_active: Language = LANGUAGES[0]
_listeners: list[Callable[[Language], None]] = []


def current_language() -> Language:
    """The language the UI speaks right now."""
    return _active


def set_language(code: str) -> Language:
    """Make ``code`` the active language and tell every listener.

    Listeners run only when the language actually changes (each one makes
    screens recompose). Every listener runs even if one fails; the first
    failure is re-raised afterwards so it is not lost.
    """
    global _active
    language = get_language(code)
    if language == _active:
        return language
    _active = language
    failure: Exception | None = None
    for callback in list(_listeners):
        try:
            callback(language)
        except Exception as exc:
            _log().exception("language listener %r failed", callback)
            failure = failure or exc
    if failure is not None:
        raise failure
    return language


def on_language_change(callback: Callable[[Language], None]) -> Callable[[], None]:
    """Call ``callback(language)`` after each change; returns an unsubscriber."""
    _listeners.append(callback)
    return functools.partial(remove_listener, callback)


def remove_listener(callback: Callable[[Language], None]) -> None:
    """Stop calling ``callback``; unknown callbacks are ignored."""
    if callback in _listeners:
        _listeners.remove(callback)


def _(message: str) -> str:
    """``message`` in the active language."""
    return _translations(_active.code).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a counted message for ``n`` in the active language.

    Format the result yourself: ``ngettext("{n} document", "{n} documents",
    n).format(n=n)`` - Serbian uses the "one" form for 21 too, so the text
    must carry the number.
    """
    return _translations(_active.code).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the active language, disambiguated by ``context``."""
    return _translations(_active.code).pgettext(context, message)


# -- formatting -----------------------------------------------------------------
# Babel (and its locale data) is imported by the first date or decimal formatted,
# not at start: the first screen shows only whole numbers.

_LAST_RESORT_LOCALES = ("sr_Latn_RS", "en")


def resolve_locale(identifier: str) -> Locale:
    """The CLDR locale ``identifier``, or the nearest we have (sr_Latn_RS, then en)."""
    from babel import Locale, UnknownLocaleError

    for candidate in (identifier, *_LAST_RESORT_LOCALES):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            _log().warning("no CLDR data for %s; trying the next locale", candidate)
    return Locale("en")


@functools.cache
def _format_locale(code: str) -> Locale:
    # Resolved once per language so a missing CLDR locale costs one warning,
    # and formatting calls themselves cannot fail on locale data.
    return resolve_locale(get_language(code).format_locale)


def _locale(language: str | None) -> Locale:
    return _format_locale(_language(language).code)


def _language(code: str | None) -> Language:
    return get_language(code) if code else _active


# One way to write a date per language, everywhere a date is shown (screens, dialogs,
# handouts, reports, the command line) and prefilled in a form to be typed over: day,
# month and year in figures, the day and month with two digits, as on every Serbian
# document and as docassist reads typed dates back. Serbian (both scripts) and Romani
# end it with a dot ("03.12.2026."), as Serbian orthography and the documents do;
# English does not ("03.12.2026"). CLDR's short forms differed between the languages
# ("3. 12. 2026." and "03/12/2026") and from what the forms prefilled (issue 16 §9).
# tests/test_dates_one_format.py holds every display of a date to these functions.
_DATE_ENDS_WITH_DOT = {"sr": True, "sr_Latn": True, "rom": True, "en": False}


def format_date(d: dt.date, style: str = "short", *, language: str | None = None) -> str:
    """A date as the language writes it: "03.12.2026." (sr, sr_Latn, rom), "03.12.2026" (en).

    ``style`` "full" spells it out with the weekday ("Thursday, 3 December 2026"): only
    to say back how a typed day was read (a date dialog's line under the field), never
    to show a date.
    """
    if style == "full":
        from babel import dates

        return dates.format_date(d, format="full", locale=_locale(language))
    if style != "short":
        raise ValueError(f"one date format per language: {style!r} is not one")
    dot = "." if _DATE_ENDS_WITH_DOT.get(_language(language).code, True) else ""
    return f"{d.day:02d}.{d.month:02d}.{d.year:04d}{dot}"


# The dates inside the domain's messages (a JMBG's decoded birth date) are written the
# same way: the domain hands over the date, and this says how the reader's language
# writes it.
_domain_text.show_date = format_date


def format_partial_date(value: Any, *, language: str | None = None) -> str:
    """A date known only to the month or the year (a ``PartialDate``), as the
    language writes it (see ``format_date``): "10.2004." and "2004." in Serbian and
    Romani, "10.2004" and "2004" in English."""
    if value.day:
        return format_date(dt.date(value.year, value.month, value.day), language=language)
    dot = "." if _DATE_ENDS_WITH_DOT.get(_language(language).code, True) else ""
    if value.month:
        return f"{value.month:02d}.{value.year:04d}{dot}"
    return f"{value.year:04d}{dot}"


def format_datetime(
    moment: dt.datetime, style: str = "short", *, language: str | None = None
) -> str:
    """Date and time ("03.12.2026. 14:05"): the one date format, then the time of day;
    a naive datetime is shown as the wall-clock time it holds."""
    if style != "short":
        raise ValueError(f"one date format per language: {style!r} is not one")
    day = format_date(moment.date(), language=language)
    return f"{day} {format_time(moment, language=language)}"


# CLDR's digit grouping for whole numbers in each format locale of LANGUAGES (the
# group separator; every one groups by three and writes "-" before a negative),
# copied so that a count on screen needs no Babel. tests/test_i18n.py holds each
# to Babel's answer; a format locale missing here is formatted by Babel.
_THOUSANDS = {"en_GB": ",", "sr_Cyrl_RS": ".", "sr_Latn_RS": "."}


def format_time(moment: dt.datetime, *, language: str | None = None) -> str:
    """The time of day, short ("19:09"), as the language writes it."""
    from babel import dates

    return dates.format_time(moment, format="short", locale=_locale(language))


def format_number(n: int, *, language: str | None = None) -> str:
    """A whole number with the language's grouping ("1.234" in Serbian)."""
    separator = _THOUSANDS.get(_language(language).format_locale)
    if separator is not None and type(n) is int:
        return f"{n:,}".replace(",", separator)
    from babel import numbers

    return numbers.format_decimal(n, locale=_locale(language))


def format_decimal(
    x: float | Decimal, digits: int | None = None, *, language: str | None = None
) -> str:
    """A decimal number; ``digits`` fixes the places after the separator."""
    from babel import numbers

    pattern = None
    if digits is not None:
        pattern = "#,##0." + "0" * digits if digits > 0 else "#,##0"
    return numbers.format_decimal(x, format=pattern, locale=_locale(language))


def format_percent(share: float, *, language: str | None = None) -> str:
    """A share in [0, 1] as a percentage ("25 %" / "25%" as CLDR says)."""
    from babel import numbers

    return numbers.format_percent(share, locale=_locale(language))
