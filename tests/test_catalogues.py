"""The committed catalogues against the code: what ``make i18n --check`` guards in CI."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from docassist.catalogue_stats import REVIEWED_FLAG, language_stats
from docassist.i18n import LANGUAGES, catalogue_path, get_language
from docassist.i18n.catalogue import read_catalogue

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


@pytest.fixture(scope="module")
def problems() -> list[str]:
    # Its speed is make bench's business, not a timed test's (a busy machine is slow).
    return tools.check()


# -- the committed catalogues -------------------------------------------------------


def test_catalogues_match_the_code(problems):
    broken = [p for p in problems if not tools.is_gap(p)]
    assert not broken, "run `make i18n`, then fix:\n" + "\n".join(broken)


def test_every_string_is_translated(problems):
    gaps = [p for p in problems if tools.is_gap(p)]
    assert not gaps, "fill these msgstr, then run `make i18n`:\n" + "\n".join(gaps)


def test_serbian_latin_is_exactly_the_transliterated_cyrillic():
    committed = catalogue_path("sr_Latn", tools.LOCALES).read_text(encoding="utf-8")
    assert tools._stable(tools.render_latin()) == tools._stable(committed)


def test_stats_cover_every_language():
    stats = language_stats(tools.LOCALES)
    assert [language for language, _, _ in stats] == list(LANGUAGES)
    for _language, translated, reviewed in stats:
        assert 0.0 <= reviewed <= translated <= 1.0
    english = stats[0]
    assert english[1] == english[2]  # the source language needs no review


# -- the check itself, on a throw-away project -----------------------------------------

SOURCE = """
from docassist.i18n import _, ngettext, pgettext

def labels(n, name):
    # Translators: the greeting on the first screen.
    hello = _("Hello {name}").format(name=name)
    return (
        hello,
        f"{ngettext('{n} file', '{n} files', n).format(n=n)}",
        pgettext("column", "Open"),
        _(name),  # a runtime value, not a message
    )
"""

SR = {
    "Hello {name}": "Здраво {name}",
    "{n} file": ("{n} фајл", "{n} фајла", "{n} фајлова"),
    ("Open", "column"): "Отворени",
}
ROM = {
    "Hello {name}": "Sar san {name}",
    "{n} file": ("jekh fajli", "{n} fajlja"),  # n == 1 alone may drop the number
    ("Open", "column"): "Phundarde",
}


def _fill(locales: Path, code: str, strings: dict) -> None:
    path = catalogue_path(code, locales)
    catalog = read_catalogue(path, get_language(code))
    for key, msgstr in strings.items():
        msgid, context = key if isinstance(key, tuple) else (key, None)
        catalog.get(msgid, context).string = msgstr
    tools.write_if_changed(path, tools.render(catalog, get_language(code)))


@pytest.fixture
def project(tmp_path):
    source = tmp_path / "pkg"
    source.mkdir()
    (source / "labels.py").write_text(SOURCE, encoding="utf-8")
    locales = tmp_path / "locales"
    tools.update_all(source, locales)
    _fill(locales, "sr", SR)
    _fill(locales, "rom", ROM)
    tools.update_all(source, locales)  # regenerates sr_Latn
    return source, locales


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_complete_project_passes_and_a_rerun_changes_nothing(project):
    source, locales = project
    assert tools.check(source, locales) == []
    assert tools.update_all(source, locales) == []
    latin = read_catalogue(catalogue_path("sr_Latn", locales))
    assert latin.get("{n} file").string == ("{n} fajl", "{n} fajla", "{n} fajlova")
    english = read_catalogue(catalogue_path("en", locales))
    assert english.get("{n} file").string == ("{n} file", "{n} files")


def test_extraction_finds_calls_in_f_strings_contexts_and_translator_comments(project):
    source, locales = project
    template = read_catalogue(tools.template_path(locales))
    assert {(m.id, m.context) for m in template if m.id} == {
        ("Hello {name}", None),
        ("Open", "column"),
        (("{n} file", "{n} files"), None),
    }
    assert template.get("Hello {name}").auto_comments == ["the greeting on the first screen."]
    assert template.get("Hello {name}").locations == [("pkg/labels.py", None)]


def test_a_new_string_in_the_code_is_reported_until_translated(project):
    source, locales = project
    (source / "more.py").write_text('from docassist.i18n import _\n_("Bye")\n', encoding="utf-8")
    problems = tools.check(source, locales)
    assert any("docassist.pot: out of date, lacks 'Bye'" in p for p in problems)
    assert not any("LC_MESSAGES" in p for p in problems)  # once, on the .pot

    tools.update_all(source, locales)
    problems = tools.check(source, locales)
    assert sorted(p.split("locales/")[1] for p in problems) == [
        "rom/LC_MESSAGES/docassist.po: untranslated: 'Bye'",
        "sr/LC_MESSAGES/docassist.po: untranslated: 'Bye'",
    ]
    assert all(tools.is_gap(p) for p in problems)


def test_a_changed_string_is_untranslated_not_guessed(project):
    source, locales = project
    _edit(source / "labels.py", '"Hello {name}"', '"Hello, {name}"')
    tools.update_all(source, locales)
    sr = read_catalogue(catalogue_path("sr", locales))
    assert sr.get("Hello, {name}").string == ""
    assert not sr.get("Hello, {name}").fuzzy
    problems = tools.check(source, locales)
    assert any("sr/LC_MESSAGES/docassist.po: obsolete: 'Hello {name}'" in p for p in problems)
    assert any("sr/LC_MESSAGES/docassist.po: untranslated: 'Hello, {name}'" in p for p in problems)

    tools.update_all(source, locales, drop_obsolete=True)
    assert not any("obsolete" in p for p in tools.check(source, locales))


def test_placeholder_mismatches_are_reported_for_every_form(project):
    source, locales = project
    _edit(catalogue_path("sr", locales), "Здраво {name}", "Здраво {ime}")
    _edit(catalogue_path("sr", locales), "{n} фајлова", "фајлова")
    _edit(catalogue_path("rom", locales), "{n} fajlja", "{count} fajlja")
    problems = "\n".join(tools.check(source, locales))
    assert "msgstr of 'Hello {name}' has unknown fields ['ime']" in problems
    assert "msgstr of 'Hello {name}' lacks fields ['name']" in problems
    assert "msgstr[2] of '{n} file' lacks fields ['n']" in problems
    assert "msgstr[1] of '{n} file' has unknown fields ['count']" in problems
    assert "stale or hand-edited" in problems  # sr changed, sr_Latn not regenerated


def test_serbian_one_form_must_keep_the_number(project):
    # Serbian msgstr[0] also serves 21, 31, ...: "jedan" would be wrong there.
    source, locales = project
    _edit(catalogue_path("sr", locales), '"{n} фајл"', '"један фајл"')
    problems = "\n".join(tools.check(source, locales))
    assert "msgstr[0] of '{n} file' lacks fields ['n']" in problems


def test_header_fuzzy_and_hand_edit_problems_are_reported(project):
    source, locales = project
    rom = catalogue_path("rom", locales)
    _edit(rom, '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n', "")
    _edit(rom, 'msgid "Hello {name}"', '#, fuzzy\nmsgid "Hello {name}"')
    _edit(catalogue_path("sr_Latn", locales), "Zdravo", "Ćao")
    problems = tools.check(source, locales)
    rom_problems = [p.split("locales/")[1] for p in problems if "rom/" in p]
    assert "rom/LC_MESSAGES/docassist.po: Plural-Forms header missing" in rom_problems
    assert any("rom/LC_MESSAGES/docassist.po: fuzzy: 'Hello {name}'" in p for p in problems)
    assert any("sr_Latn/LC_MESSAGES/docassist.po: stale or hand-edited" in p for p in problems)
    # make i18n repairs what is mechanical.
    tools.update_all(source, locales)
    problems = tools.check(source, locales)
    assert [p.split("locales/")[1] for p in problems] == [
        "rom/LC_MESSAGES/docassist.po: fuzzy: 'Hello {name}'"
    ]


def test_an_unparsable_catalogue_is_a_problem_not_a_crash(project):
    source, locales = project
    # A translator's editor saved it as Windows-1250 instead of UTF-8.
    catalogue_path("rom", locales).write_bytes('msgid "Open"\nmsgstr "Ačhavdo"\n'.encode("cp1250"))
    problems = tools.check(source, locales)
    assert any("rom/LC_MESSAGES/docassist.po: cannot be read" in p for p in problems)


def test_review_flag_survives_an_update_and_counts_in_the_stats(project):
    source, locales = project
    sr = catalogue_path("sr", locales)
    _edit(sr, 'msgid "Hello {name}"', '#, reviewed\nmsgid "Hello {name}"')
    (source / "more.py").write_text('from docassist.i18n import _\n_("Bye")\n', encoding="utf-8")
    tools.update_all(source, locales)
    for code in ("sr", "sr_Latn"):
        catalog = read_catalogue(catalogue_path(code, locales))
        assert REVIEWED_FLAG in catalog.get("Hello {name}").flags
    stats = {language.code: (t, r) for language, t, r in language_stats(locales)}
    assert stats["en"] == (1.0, 1.0)
    assert stats["sr"] == pytest.approx((3 / 4, 1 / 4))
    assert stats["sr_Latn"] == stats["sr"]
    assert stats["rom"] == pytest.approx((3 / 4, 0.0))


def test_transliteration_leaves_fields_and_markup_alone():
    text = "[b]{име}[/b] је у [@click=app.open('x')]Нишу[/]: {n:d} љубав Џ"
    assert tools.transliterate(text) == (
        "[b]{име}[/b] je u [@click=app.open('x')]Nišu[/]: {n:d} ljubav Dž"
    )
