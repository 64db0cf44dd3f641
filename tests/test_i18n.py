"""The language table, catalogue loading, plurals, the active-language holder, formatting."""

from __future__ import annotations

import datetime as dt
import gettext
import importlib.util
import io
import logging
import os
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from babel import numbers as babel_numbers
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from hypothesis import given
from hypothesis import strategies as st

from docassist import i18n
from docassist.i18n import LANGUAGES, catalogue_path, get_language, pofile
from docassist.i18n.catalogue import read_catalogue, translated_forms
from docassist.i18n.pofile import read_translations
from docassist.locations import cache_dir

ROOT = Path(__file__).resolve().parent.parent


def _load_tools():
    # tools/ is not a package (it does not ship in the wheel); load it by path.
    name = "docassist_tools_i18n"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / "i18n.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


tools = _load_tools()

DOCUMENT = ("{n} document", "{n} documents")


@pytest.fixture(autouse=True)
def _fresh_holder():
    # The holder is process-wide on purpose; keep tests from leaking into each other.
    i18n.set_language("en")
    listeners = list(i18n._listeners)
    i18n.reload_catalogues()
    yield
    i18n._listeners[:] = listeners
    i18n.set_language("en")
    i18n.reload_catalogues()


def _template(*messages: str | tuple[str, str]) -> Catalog:
    template = Catalog(fuzzy=False)
    for message in messages:
        template.add(message)
    return template


def _translate(path: Path, code: str, strings: dict) -> None:
    """Fill msgstrs the way a translator would, then save through the tool's writer."""
    catalog = read_catalogue(path, get_language(code))
    for msgid, msgstr in strings.items():
        catalog[msgid].string = msgstr
    tools.write_if_changed(path, tools.render(catalog, get_language(code)))


# -- the language table -------------------------------------------------------------


def test_languages_are_the_four_the_ui_speaks():
    assert [language.code for language in LANGUAGES] == ["en", "sr", "sr_Latn", "rom"]
    assert get_language("sr").script == "cyrl"
    assert {get_language(c).script for c in ("en", "sr_Latn", "rom")} == {"latn"}
    assert get_language("rom").format_locale == "sr_Latn_RS"


def test_get_language_accepts_spelling_variants_and_rejects_unknown_codes():
    assert get_language("sr-Latn") is get_language("SR_LATN") is get_language("sr_Latn")
    with pytest.raises(ValueError, match="unknown language"):
        get_language("de")
    with pytest.raises(ValueError):
        i18n.set_language("rmy")


# -- loading ------------------------------------------------------------------------


@pytest.mark.parametrize("code", [language.code for language in LANGUAGES])
def test_every_shipped_catalogue_compiles(code):
    translations = i18n.load_translations(code)
    assert isinstance(translations, gettext.GNUTranslations)


def test_missing_catalogue_falls_back_to_english_with_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="docassist.i18n"):
        translations = i18n.load_translations("sr", tmp_path)
    assert type(translations) is gettext.NullTranslations
    assert translations.gettext("Registry office") == "Registry office"
    assert "no catalogue for sr" in caplog.text


def test_broken_catalogue_falls_back_to_english(tmp_path, caplog):
    path = catalogue_path("sr", tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b'msgid "Open"\nmsgstr[7] \xff\xfe "broken')
    with caplog.at_level(logging.ERROR, logger="docassist.i18n"):
        translations = i18n.load_translations("sr", tmp_path)
    assert translations.gettext("Open") == "Open"


def test_untranslated_and_half_translated_entries_show_english(tmp_path):
    path = catalogue_path("sr", tmp_path)
    tools.update_catalogue(_template("Open", DOCUMENT), get_language("sr"), path)
    _translate(path, "sr", {DOCUMENT[0]: ("{n} документ", "", "")})
    translations = i18n.load_translations("sr", tmp_path)
    assert translations.gettext("Open") == "Open"
    assert translations.ngettext(*DOCUMENT, 5) == "{n} documents"


# -- a catalogue read is kept for the next start ---------------------------------------


def _sr_catalogue(folder: Path, text: str) -> Path:
    path = catalogue_path("sr", folder)
    tools.update_catalogue(_template("Open"), get_language("sr"), path)
    _translate(path, "sr", {"Open": text})
    return path


def test_a_catalogue_read_once_is_kept_for_the_next_start(tmp_path, monkeypatch):
    _sr_catalogue(tmp_path, "Отворено")
    assert i18n.load_translations("sr", tmp_path).gettext("Open") == "Отворено"

    def never(*args):
        raise AssertionError("read again although nothing changed")

    monkeypatch.setattr(pofile, "read_translations", never)
    assert i18n.load_translations("sr", tmp_path).gettext("Open") == "Отворено"


def test_a_changed_catalogue_is_read_again_even_with_the_same_size_and_time(tmp_path):
    path = _sr_catalogue(tmp_path, "Отворено")
    assert i18n.load_translations("sr", tmp_path).gettext("Open") == "Отворено"
    before = path.stat()
    # A translator's quick fix: as many bytes, written within the same clock tick.
    path.write_bytes(path.read_bytes().replace("Отворено".encode(), "Затворен".encode()))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert i18n.load_translations("sr", tmp_path).gettext("Open") == "Затворен"


def test_a_damaged_kept_catalogue_only_means_reading_the_file(tmp_path):
    _sr_catalogue(tmp_path, "Отворено")
    i18n.load_translations("sr", tmp_path)
    [kept] = (cache_dir() / "catalogues").iterdir()
    kept.write_bytes(b"\x00 not marshal data")
    assert i18n.load_translations("sr", tmp_path).gettext("Open") == "Отворено"


def _as_babel_compiles(path: Path, code: str) -> dict:
    """What the app read before its own reader: Babel's parse, half-translated
    entries dropped, an in-memory .mo, gettext's catalogue of it (header left out)."""
    catalog = read_catalogue(path, get_language(code))
    for message in list(catalog)[1:]:
        if not all(translated_forms(message)):
            catalog.delete(message.id, message.context)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    compiled = vars(gettext.GNUTranslations(buffer))["_catalog"]
    return {key: text for key, text in compiled.items() if key != ""}


@pytest.mark.parametrize("code", [language.code for language in LANGUAGES])
def test_the_reader_reads_every_shipped_catalogue_as_babel_does(code):
    path = catalogue_path(code)
    ours = read_translations(path.read_bytes(), i18n.nplurals(get_language(code)))
    assert ours == _as_babel_compiles(path, code)
    assert len(ours) > 100 or code == "en"  # a catalogue read as empty would pass too


def test_the_reader_leaves_out_what_gettext_must_not_show(tmp_path):
    path = tmp_path / "sr.po"
    path.write_text(
        r"""# a comment
msgid ""
msgstr ""
"Language: sr\n"

#, fuzzy
msgid "Fuzzy"
msgstr "Нејасно"

#, python-brace-format, fuzzy
msgid "Also fuzzy {n}"
msgstr "Такође {n}"

msgid "Untranslated"
msgstr ""

msgctxt "column"
msgid "Open"
msgstr "Отворени"

msgid "Open"
msgstr "Отвори"

msgid ""
"Two "
"lines\n"
"with \"quotes\" and a \\ and \t"
msgstr ""
"Два "
"реда\n"
"са \"наводницима\" и \\ и \t и \q"

msgid "{n} document"
msgid_plural "{n} documents"
msgstr[0] "{n} документ"
msgstr[1] "{n} документа"
msgstr[2] "{n} докумената"
msgstr[3] "one form too many"

msgid "{n} half"
msgid_plural "{n} halves"
msgstr[0] "{n} пола"
msgstr[1] ""
msgstr[2] "{n} пола"

#~ msgid "Gone"
#~ msgstr "Нестало"

#~ msgctxt "old"
#~ msgid "Gone too"
#~ msgstr "Такође нестало"
""",
        encoding="utf-8",
    )
    ours = read_translations(path.read_bytes(), 3)
    assert ours == {
        "column\x04Open": "Отворени",
        "Open": "Отвори",
        'Two lines\nwith "quotes" and a \\ and \t': 'Два реда\nса "наводницима" и \\ и \t и \\q',
        ("{n} document", 0): "{n} документ",
        ("{n} document", 1): "{n} документа",
        ("{n} document", 2): "{n} докумената",
    }
    assert ours == _as_babel_compiles(path, "sr")


# -- plurals --------------------------------------------------------------------------


def test_serbian_plural_forms(tmp_path):
    path = catalogue_path("sr", tmp_path)
    tools.update_catalogue(_template(DOCUMENT), get_language("sr"), path)
    _translate(path, "sr", {DOCUMENT[0]: ("{n} документ", "{n} документа", "{n} докумената")})
    latin = tools.derive_latin(read_catalogue(path, get_language("sr")))
    latin_path = catalogue_path("sr_Latn", tmp_path)
    latin_path.parent.mkdir(parents=True)
    latin_path.write_text(tools.render(latin, get_language("sr_Latn")), encoding="utf-8")

    serbian = i18n.load_translations("sr", tmp_path)
    expected = {1: "документ", 2: "документа", 5: "докумената", 11: "докумената"}
    expected |= {21: "документ", 22: "документа", 12: "докумената", 111: "докумената"}
    for n, word in expected.items():
        assert serbian.ngettext(*DOCUMENT, n).format(n=n) == f"{n} {word}"

    serbian_latin = i18n.load_translations("sr_Latn", tmp_path)
    latin_words = {1: "dokument", 2: "dokumenta", 5: "dokumenata", 21: "dokument", 11: "dokumenata"}
    for n, word in latin_words.items():
        assert serbian_latin.ngettext(*DOCUMENT, n).format(n=n) == f"{n} {word}"


def test_rom_plural_rule_survives_update_rounds_and_a_lost_header(tmp_path):
    rom = get_language("rom")
    path = catalogue_path("rom", tmp_path)
    tools.update_catalogue(_template(DOCUMENT), rom, path)
    _translate(path, "rom", {DOCUMENT[0]: ("{n} lil", "{n} lila")})
    # A second round, with a new string, is where Babel would drop the header.
    tools.update_catalogue(_template(DOCUMENT, "Open"), rom, path)
    headers = tools.raw_headers(path.read_text(encoding="utf-8"))
    assert headers["Language"] == "rom"
    assert headers["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert read_catalogue(path)[DOCUMENT[0]].string == ("{n} lil", "{n} lila")

    translations = i18n.load_translations("rom", tmp_path)
    assert translations.ngettext(*DOCUMENT, 1) == "{n} lil"
    assert translations.ngettext(*DOCUMENT, 2) == "{n} lila"
    assert translations.ngettext(*DOCUMENT, 0) == "{n} lila"

    # Even a wrong header cannot collapse the forms: the project table decides.
    text = path.read_text(encoding="utf-8").replace(rom.plural_forms, "nplurals=1; plural=0;")
    path.write_text(text, encoding="utf-8")
    translations = i18n.load_translations("rom", tmp_path)
    assert translations.ngettext(*DOCUMENT, 2) == "{n} lila"


def test_plural_functions_follow_the_project_table():
    serbian = i18n.plural_function(get_language("sr"))
    assert [serbian(n) for n in (1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111)] == [
        0, 1, 1, 2, 2, 2, 2, 0, 1, 2, 0, 2,
    ]  # fmt: skip
    romani = i18n.plural_function(get_language("rom"))
    assert [romani(n) for n in (0, 1, 2, 21)] == [1, 0, 1, 1]


# -- the active language ----------------------------------------------------------------


def test_active_language_translates_and_listeners_hear_changes():
    heard = []
    unsubscribe = i18n.on_language_change(heard.append)
    i18n.set_language("sr")
    assert i18n.current_language().code == "sr"
    assert i18n._("Registry office") == "Матична служба"
    i18n.set_language("sr")  # no change: nobody needs to recompose
    i18n.set_language("sr_Latn")
    assert i18n._("Registry office") == "Matična služba"
    assert [language.code for language in heard] == ["sr", "sr_Latn"]

    unsubscribe()
    i18n.set_language("rom")
    assert len(heard) == 2
    i18n.remove_listener(heard.append)  # removing twice is harmless


def test_every_listener_runs_even_if_one_fails():
    heard = []

    def broken(language):
        raise RuntimeError("boom")

    i18n.on_language_change(broken)
    i18n.on_language_change(heard.append)
    with pytest.raises(RuntimeError, match="boom"):
        i18n.set_language("sr")
    assert [language.code for language in heard] == ["sr"]
    assert i18n.current_language().code == "sr"


def test_translate_in_shows_a_second_language_side_by_side():
    i18n.set_language("rom")
    assert i18n._("Registry office") == "Matično (Matična služba)"
    assert i18n.translate_in("sr", "Registry office") == "Матична служба"
    assert i18n.translate_in("en", "Registry office") == "Registry office"
    serbian = i18n.translator("sr")
    assert serbian.language.code == "sr"
    assert serbian.gettext("ID card") == "Лична карта"
    assert serbian.ngettext(*DOCUMENT, 2) == "{n} documents"  # not in the catalogue
    assert i18n.current_language().code == "rom"


def test_ngettext_and_pgettext_use_the_active_language():
    assert i18n.ngettext(*DOCUMENT, 1) == "{n} document"
    assert i18n.ngettext(*DOCUMENT, 3) == "{n} documents"
    assert i18n.pgettext("column", "Open") == "Open"
    i18n.set_language("sr")
    assert i18n.pgettext("no such context", "Open") == "Open"
    assert i18n.N_("Open") == "Open"


def test_rom_falls_back_to_serbian_latin_not_english(tmp_path, monkeypatch):
    tools.update_catalogue(_template("Open"), get_language("rom"), catalogue_path("rom", tmp_path))
    latin = catalogue_path("sr_Latn", tmp_path)
    tools.update_catalogue(_template("Open"), get_language("sr_Latn"), latin)
    _translate(latin, "sr_Latn", {"Open": "Otvoren"})
    monkeypatch.setattr(i18n, "locales_dir", lambda: tmp_path)
    i18n.reload_catalogues()
    assert i18n.translate_in("rom", "Open") == "Otvoren"
    assert i18n.translate_in("rom", "Closed") == "Closed"


# -- formatting -------------------------------------------------------------------------

BIRTH = dt.date(1987, 5, 12)
MOMENT = dt.datetime(2025, 3, 4, 14, 5)


@pytest.mark.parametrize("code", [language.code for language in LANGUAGES])
def test_formatting_never_raises_and_puts_the_day_first(code):
    for style in ("short", "full"):  # the one format, and a typed day said back
        assert "1987" in i18n.format_date(BIRTH, style, language=code)
    short = i18n.format_date(BIRTH, language=code)
    assert short.startswith("12"), short  # day before month, four-digit year
    assert "14" in i18n.format_datetime(MOMENT, language=code)
    assert i18n.format_number(1234567, language=code)
    assert i18n.format_decimal(Decimal("3.14159"), 2, language=code)
    assert i18n.format_decimal(2.5, 0, language=code)
    assert "25" in i18n.format_percent(0.25, language=code)


def test_formatting_follows_the_language():
    # One date format per language (tests/test_dates_one_format.py has them all).
    assert i18n.format_date(BIRTH, language="sr") == "12.05.1987."
    assert i18n.format_date(BIRTH, language="en") == "12.05.1987"
    assert "мај" in i18n.format_date(BIRTH, "full", language="sr")
    assert "maj" in i18n.format_date(BIRTH, "full", language="rom")
    assert i18n.format_number(1234567, language="sr_Latn") == "1.234.567"
    assert i18n.format_number(1234567, language="en") == "1,234,567"
    assert i18n.format_decimal(3.14159, 2, language="rom") == "3,14"
    i18n.set_language("sr")
    assert i18n.format_number(1234) == "1.234"


@pytest.mark.parametrize("code", [language.code for language in LANGUAGES])
@given(n=st.integers(min_value=-(10**15), max_value=10**15))
def test_whole_numbers_are_grouped_as_babel_groups_them(code, n):
    # format_number groups without Babel (so the first screen needs none): it
    # must say what Babel's CLDR data says, for every language and size.
    locale = i18n.resolve_locale(get_language(code).format_locale)
    assert i18n.format_number(n, language=code) == babel_numbers.format_decimal(n, locale=locale)


def test_a_language_without_a_copied_grouping_is_formatted_by_babel(monkeypatch):
    monkeypatch.setattr(i18n, "_THOUSANDS", {})
    assert i18n.format_number(1234567, language="sr") == "1.234.567"


def test_unknown_locale_data_falls_back_to_serbian_latin(caplog):
    assert str(i18n.resolve_locale("rom")) == "sr_Latn_RS"
    assert str(i18n.resolve_locale("sr_Latn_RS")) == "sr_Latn_RS"
