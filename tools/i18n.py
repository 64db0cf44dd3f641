"""``make i18n``: extract UI strings, update the catalogues, derive Serbian Latin.

    python tools/i18n.py                  extract, update en/sr/rom, regenerate sr_Latn,
                                          then list what translators still have to do
    python tools/i18n.py --check          write nothing; list every problem, exit 1 if any
    python tools/i18n.py --stats          translated and reviewed share per language
    python tools/i18n.py --drop-obsolete  as the default, and delete obsolete (#~) entries

Files (``locales/``):
  docassist.pot                      extracted from src/docassist; never edit
  en/LC_MESSAGES/docassist.po        msgstr = msgid, filled automatically (English is the
                                     source); put a different msgstr only to fix wording
                                     without changing every other catalogue
  sr/LC_MESSAGES/docassist.po        Serbian Cyrillic, by hand
  rom/LC_MESSAGES/docassist.po       Romani, by hand (Latin: č ć dž š ž, čh kh ph th)
  sr_Latn/LC_MESSAGES/docassist.po   GENERATED from sr by transliteration; never edit

Adding a string: write ``_("...")`` (``N_`` in the domain, ``ngettext`` for counts,
``pgettext`` when one English word needs two translations), run ``make i18n``, fill the
new msgstr in sr and rom, run ``make i18n`` again (regenerates sr_Latn), commit locales/.
A ``# Translators: ...`` comment on the line above the call reaches the .po files.

No fuzzy matching: a changed msgid arrives as a new, untranslated entry, and the old one
stays as an obsolete ``#~`` entry for the translator to reuse; ``--check`` reports both
until the translation is filled in and the obsolete entry deleted (``--drop-obsolete``).

Review state: a ``#, reviewed`` flag on the entry (see docassist.catalogue_stats). A
reviewer adds it after checking the msgstr; whoever changes a reviewed msgstr removes
it. Babel keeps flags when it updates, and a changed msgid is a new entry without the
flag. sr_Latn copies the flags of sr. ``--stats`` and ``docassist languages`` count it.
"""

from __future__ import annotations

import argparse
import ast
import copy
import functools
import gettext
import io
import re
import string
import sys
import unicodedata
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import escape, unescape, write_po

from docassist.catalogue_stats import (
    entries,
    is_translated,
    language_stats,
    message_key,
    template_path,
)
from docassist.i18n import (
    DOMAIN,
    LANGUAGES,
    Language,
    catalogue_path,
    get_language,
    nplurals,
    plural_function,
)
from docassist.i18n.catalogue import LanguageCatalog, read_catalogue

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "src" / "docassist"
LOCALES = ROOT / "locales"

# Argument positions as Babel expects them; pgettext's first argument is the context.
KEYWORDS: dict[str, object] = {
    "_": None,
    "N_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "translate_in": (2,),
}
COMMENT_TAGS = ("Translators:",)
DERIVED = "sr_Latn"  # generated from DERIVED_FROM, never edited by hand
DERIVED_FROM = "sr"
# Dates and tool versions change without the messages changing; comparisons skip them.
VOLATILE_HEADERS = ("POT-Creation-Date", "PO-Revision-Date", "Generated-By")

_HEADER_COMMENTS = {
    "": "# docassist UI messages, extracted from src/docassist by tools/i18n.py.\n"
    "# Do not edit: run `make i18n`.",
    "en": "# docassist - English. The msgids are English: msgstr is filled in\n"
    "# automatically; change it only to reword without touching other languages.",
    "sr": "# docassist - српски (ћирилица). Edit msgstr, then run `make i18n`,\n"
    "# which also regenerates sr_Latn from this file.",
    "rom": "# docassist - Romani čhib (Latin: č ć dž š ž, čh kh ph th).\n"
    "# Edit msgstr, then run `make i18n`. Add `#, reviewed` once a native\n"
    "# speaker has checked an entry.",
    DERIVED: "# docassist - srpski (latinica).\n"
    f"# GENERATED from {DERIVED_FROM}/LC_MESSAGES/{DOMAIN}.po by tools/i18n.py:\n"
    "# do not edit; change the Cyrillic catalogue and run `make i18n`.",
}


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


# -- extraction -----------------------------------------------------------------


def _extract_python_ast(
    fileobj: BinaryIO, keywords: Collection[str], comment_tags: Collection[str], options: dict
) -> Iterator[tuple[int, str, tuple[str | None, ...], list[str]]]:
    """Babel extraction method built on ``ast`` (C) instead of ``tokenize``.

    Babel's own "python" method tokenizes in pure Python: about a second for
    7,000 lines, too slow for a check that runs in every test run. Babel
    still applies the keyword specs (plural, context) to what this yields.
    """
    data = fileobj.read()
    if not _call_pattern(frozenset(keywords)).search(data):
        return  # most modules translate nothing; parsing them is the slow part
    try:
        tree = ast.parse(data)
    except SyntaxError:  # half-edited file: Babel's tokenizer copes with it
        fileobj.seek(0)
        yield from extract_python(fileobj, keywords, comment_tags, options)
        return
    lines = data.decode("utf-8").splitlines()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in keywords or not node.args:
            continue
        # Only literal strings are messages; anything else is a runtime value.
        args = tuple(
            a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
            for a in node.args
        )
        yield node.lineno, name, args, _translator_comments(lines, node.lineno, comment_tags)


@functools.cache
def _call_pattern(keywords: frozenset[str]) -> re.Pattern[bytes]:
    names = b"|".join(re.escape(k.encode()) for k in sorted(keywords))
    return re.compile(rb"\b(?:" + names + rb")\s*\(")


def _translator_comments(lines: list[str], lineno: int, tags: Collection[str]) -> list[str]:
    # As Babel does: the comment block right above the call, from the tagged line on.
    block: list[str] = []
    index = lineno - 2
    while index >= 0 and lines[index].lstrip().startswith("#"):
        block.insert(0, lines[index].lstrip()[1:].strip())
        index -= 1
    for start, text in enumerate(block):
        if text.startswith(tuple(tags)):
            return block[start:]
    return []


def extract(source_dir: Path = SOURCE_DIR) -> Catalog:
    """The template: every marked string in the Python code under ``source_dir``."""
    template = Catalog(
        project="docassist",
        version="ui",
        header_comment=_HEADER_COMMENTS[""],
        fuzzy=False,
    )
    prefix = source_dir.name
    for filename, _lineno, message, comments, context in extract_from_dir(
        source_dir,
        method_map=[("**.py", _extract_python_ast)],
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
    ):
        # No line numbers: they would change the .pot and every .po on each edit.
        template.add(
            message,
            locations=[(f"{prefix}/{filename}", None)],
            auto_comments=comments,
            context=context,
        )
    return template


# -- rendering --------------------------------------------------------------------


def _header_fields(catalog: Catalog, language: Language | None) -> list[tuple[str, str]]:
    fields = [(name, value.strip()) for name, value in catalog.mime_headers]
    fields = [(name, value) for name, value in fields if name != "Plural-Forms"]
    if language is None:
        return fields
    fields = [(name, value) for name, value in fields if name != "Language"]
    # Babel writes no Plural-Forms for a locale it does not know (rom), and the
    # header must agree with the project table, so both are always set here.
    at = next(i for i, (name, _) in enumerate(fields) if name == "Language-Team")
    fields[at:at] = [("Language", language.code), ("Plural-Forms", language.plural_forms)]
    return fields


def render(catalog: Catalog, language: Language | None = None) -> str:
    """The .po (or, without ``language``, .pot) text we commit.

    Babel's own header is replaced by one field per line, unwrapped, so the
    Plural-Forms line is complete and easy to check (and to diff).
    """
    buffer = io.BytesIO()
    write_po(buffer, catalog, sort_output=True, include_lineno=False)
    text = buffer.getvalue().decode("utf-8")
    start = text.index('msgid ""\n')
    end = text.index("\n\n", start)
    header = 'msgid ""\nmsgstr ""\n' + "\n".join(
        escape(f"{name}: {value}\n") for name, value in _header_fields(catalog, language)
    )
    return text[:start] + header + text[end:]


def _stable(text: str) -> str:
    """``text`` without the header lines that change on every run."""
    volatile = tuple(f'"{name}:' for name in VOLATILE_HEADERS)
    return "\n".join(line for line in text.splitlines() if not line.startswith(volatile))


def write_if_changed(path: Path, text: str) -> bool:
    """Write unless only volatile headers differ; True if the file changed."""
    if path.is_file() and _stable(path.read_text(encoding="utf-8")) == _stable(text):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def raw_headers(text: str) -> dict[str, str]:
    """The header fields exactly as written in a .po file (read_po invents defaults)."""
    lines = []
    in_header = False
    for line in text.splitlines():
        if line.startswith('msgstr ""'):
            in_header = True
        elif in_header and line.startswith('"'):
            lines.append(unescape(line))
        elif in_header:
            break
    fields = {}
    for field in "".join(lines).splitlines():
        name, _, value = field.partition(":")
        fields[name.strip()] = value.strip()
    return fields


# -- updating ---------------------------------------------------------------------


def new_catalogue(language: Language) -> Catalog:
    """An empty catalogue; Babel knows no rom locale, so only the identifier is kept."""
    return LanguageCatalog(
        language,
        locale=language.code,
        project="docassist",
        version="ui",
        header_comment=_HEADER_COMMENTS[language.code],
        language_team=f"docassist {language.code}",
        fuzzy=False,
    )


def _fill_source(catalog: Catalog) -> None:
    # English is the source language: an empty msgstr means "same as the msgid".
    for message in entries(catalog):
        if message.pluralizable:
            if not all(message.string) or message.fuzzy:
                message.string = tuple(message.id)
        elif not message.string or message.fuzzy:
            message.string = message.id
        message.flags.discard("fuzzy")


def update_catalogue(
    template: Catalog, language: Language, path: Path, *, drop_obsolete: bool = False
) -> bool:
    """Bring one hand-kept catalogue in line with ``template``; True if it changed."""
    catalog = read_catalogue(path, language) if path.is_file() else new_catalogue(language)
    catalog.update(
        copy.deepcopy(template),  # update() adopts the template's Message objects
        no_fuzzy_matching=True,  # a guess looks translated; an empty entry is honest
        update_header_comment=False,
        keep_user_comments=True,
        update_creation_date=False,
    )
    if language.is_source:
        _fill_source(catalog)
        catalog.obsolete.clear()  # English leftovers carry nothing worth reusing
    if drop_obsolete:
        catalog.obsolete.clear()
    return write_if_changed(path, render(catalog, language))


# -- Serbian Latin ------------------------------------------------------------------

# Format fields and Rich/Textual markup tags are code, not Serbian text.
_PROTECTED = re.compile(r"(\{[^{}]*\}|\[[^\[\]]*\])")


def transliterate(text: str) -> str:
    """Serbian Cyrillic to Latin outside ``{fields}`` and ``[markup]``."""
    from docassist.domain.script import cyr_to_lat

    parts = _PROTECTED.split(text)
    return "".join(part if i % 2 else cyr_to_lat(part) for i, part in enumerate(parts))


def derive_latin(source: Catalog) -> Catalog:
    """The sr_Latn catalogue: ``source`` (sr) with every msgstr transliterated."""
    latin = LanguageCatalog(
        get_language(DERIVED),
        locale=DERIVED,
        project=source.project,
        version=source.version,
        header_comment=_HEADER_COMMENTS[DERIVED],
        msgid_bugs_address=source.msgid_bugs_address,
        creation_date=source.creation_date,
        revision_date=source.revision_date,
        last_translator=source.last_translator,
        language_team=f"docassist {DERIVED}",
        fuzzy=False,
    )
    for message in entries(source):
        if message.pluralizable:
            translated: str | tuple[str, ...] = tuple(transliterate(s) for s in message.string)
        else:
            translated = transliterate(message.string)
        latin.add(
            message.id,
            translated,
            locations=message.locations,
            flags=message.flags,  # review state and fuzziness carry over
            auto_comments=message.auto_comments,
            user_comments=message.user_comments,
            context=message.context,
        )
    return latin


def render_latin(locales: Path = LOCALES) -> str:
    """The text sr_Latn must have, given the committed sr catalogue."""
    source = read_catalogue(catalogue_path(DERIVED_FROM, locales), get_language(DERIVED_FROM))
    return render(derive_latin(source), get_language(DERIVED))


# -- the whole run ------------------------------------------------------------------


def update_all(
    source_dir: Path = SOURCE_DIR, locales: Path = LOCALES, *, drop_obsolete: bool = False
) -> list[Path]:
    """Extract, update, regenerate; the files that changed."""
    changed = []
    template = extract(source_dir)
    pot = template_path(locales)
    if write_if_changed(pot, render(template)):
        changed.append(pot)
    for language in LANGUAGES:
        if language.code == DERIVED:
            continue
        path = catalogue_path(language.code, locales)
        if update_catalogue(template, language, path, drop_obsolete=drop_obsolete):
            changed.append(path)
    latin = catalogue_path(DERIVED, locales)
    if write_if_changed(latin, render_latin(locales)):
        changed.append(latin)
    return changed


# -- checking -----------------------------------------------------------------------

# Problems that only translators can fix, as opposed to a broken or stale file.
_GAP_MARKERS = (": untranslated: ", ": fuzzy: ", ": obsolete: ")


def is_gap(problem: str) -> bool:
    """True for a translation still to be written, false for a machinery problem."""
    return any(marker in problem for marker in _GAP_MARKERS)


_FORMATTER = string.Formatter()
# The number in an ngettext message. A form used for n == 1 alone may spell it
# ("One document", "jekh lil"); a form that also serves 21, 31... (Serbian) may not.
COUNT_FIELDS = frozenset({"n", "count"})


def fields(text: str) -> set[str] | None:
    """The ``{field}`` names in ``text``; None if the braces do not parse."""
    try:
        return {name for _, name, _, _ in _FORMATTER.parse(text) if name is not None}
    except ValueError:
        return None


@functools.cache
def _singular_only_forms(language: Language) -> frozenset[int]:
    plural = plural_function(language)
    users: dict[int, set[int]] = {}
    for n in range(1000):
        users.setdefault(plural(n), set()).add(n)
    return frozenset(form for form, ns in users.items() if ns == {1})


def _show(message: Message) -> str:
    key, context = message_key(message)
    return f"{key!r}" + (f" (context {context!r})" if context else "")


def _placeholder_problems(message: Message, language: Language) -> Iterable[str]:
    ids = [message.id] if isinstance(message.id, str) else list(message.id)
    id_fields = [fields(i) for i in ids]
    if any(f is None for f in id_fields):
        return  # braces that do not parse: the msgid is not a format string
    allowed = set().union(*id_fields)
    strings = list(message.string) if message.pluralizable else [message.string]
    singular_only = _singular_only_forms(language) if message.pluralizable else frozenset()
    for form, text in enumerate(strings):
        if not text:
            continue
        got = fields(text)
        where = f"msgstr[{form}]" if message.pluralizable else "msgstr"
        if got is None:
            yield f"{where} of {_show(message)} has unbalanced braces"
            continue
        required = id_fields[0] - COUNT_FIELDS if form in singular_only else allowed
        if got - allowed:
            yield f"{where} of {_show(message)} has unknown fields {sorted(got - allowed)}"
        if required - got:
            yield f"{where} of {_show(message)} lacks fields {sorted(required - got)}"


def _ids(catalog: Catalog) -> dict[tuple[str, str | None], object]:
    return {message_key(m): m.id for m in entries(catalog)}


def _compile_problem(catalog: Catalog) -> str | None:
    try:
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=True)
        buffer.seek(0)
        gettext.GNUTranslations(buffer)
    except Exception as exc:  # whatever breaks compiling is the finding itself
        return f"does not compile: {exc}"
    return None


def check_catalogue(language: Language, path: Path, template: Catalog) -> list[str]:
    """Everything wrong with one catalogue, as lines prefixed with its path."""
    if not path.is_file():
        return [f"{_rel(path)}: missing - run make i18n"]
    try:
        text = path.read_text(encoding="utf-8")
        catalog = read_catalogue(io.BytesIO(text.encode()), language, abort_invalid=True)
    except Exception as exc:  # a wrong encoding or syntax is a finding, not a crash
        return [f"{_rel(path)}: cannot be read: {exc}"]
    problems: list[str] = []
    headers = raw_headers(text)
    if headers.get("Language") != language.code:
        problems.append(f"Language header is {headers.get('Language')!r}, not {language.code!r}")
    if "Plural-Forms" not in headers:
        problems.append("Plural-Forms header missing")
    elif headers["Plural-Forms"] != language.plural_forms:
        problems.append(
            f"Plural-Forms is {headers['Plural-Forms']!r}, not {language.plural_forms!r}"
        )
    if catalog.fuzzy:
        problems.append("header is marked fuzzy")
    wanted, present = _ids(template), _ids(catalog)
    for key in wanted.keys() - present.keys():
        problems.append(f"lacks {key[0]!r} - run make i18n")
    for key in present.keys() - wanted.keys():
        problems.append(f"has {key[0]!r}, which the code no longer uses - run make i18n")
    for key in wanted.keys() & present.keys():
        if wanted[key] != present[key]:
            problems.append(f"{key[0]!r} has other plural ids than the code - run make i18n")
    forms = nplurals(language)
    # sr_Latn mirrors sr: its gaps are reported once, on sr, not twice.
    report_gaps = language.code != DERIVED
    for message in entries(catalog):
        if report_gaps and message.fuzzy:
            problems.append(f"fuzzy: {_show(message)}")
        elif report_gaps and not is_translated(message):
            problems.append(f"untranslated: {_show(message)}")
        if message.pluralizable and len(message.string) != forms:
            problems.append(f"{_show(message)} has {len(message.string)} forms, not {forms}")
        problems.extend(_placeholder_problems(message, language))
        if language.script == "latn" and any(
            "CYRILLIC" in unicodedata.name(c, "")
            for s in (message.string if message.pluralizable else [message.string])
            for c in s
        ):
            problems.append(f"Cyrillic letters in the Latin msgstr of {_show(message)}")
    for key in catalog.obsolete:
        shown = key if isinstance(key, str) else key[0]
        problems.append(f"obsolete: {shown!r} - reuse its msgstr, then delete it")
    compile_problem = _compile_problem(catalog)
    if compile_problem:
        problems.append(compile_problem)
    return [f"{_rel(path)}: {problem}" for problem in problems]


def check(source_dir: Path = SOURCE_DIR, locales: Path = LOCALES) -> list[str]:
    """Every problem that ``make i18n`` or a translator still has to fix."""
    problems: list[str] = []
    template = extract(source_dir)
    pot = template_path(locales)
    if not pot.is_file():
        problems.append(f"{_rel(pot)}: missing - run make i18n")
    else:
        # Catalogues are held against the committed template: a string missing
        # from the code's .pot is reported once, not once per language.
        template, code = read_catalogue(pot), template
        committed = _ids(template)
        extracted = _ids(code)
        for key in extracted.keys() - committed.keys():
            problems.append(f"{_rel(pot)}: out of date, lacks {key[0]!r} - run make i18n")
        for key in committed.keys() - extracted.keys():
            problems.append(f"{_rel(pot)}: out of date, has unused {key[0]!r} - run make i18n")
        for key in extracted.keys() & committed.keys():
            if extracted[key] != committed[key]:
                problems.append(f"{_rel(pot)}: out of date, plural of {key[0]!r} - run make i18n")
    for language in LANGUAGES:
        problems.extend(check_catalogue(language, catalogue_path(language.code, locales), template))
    latin = catalogue_path(DERIVED, locales)
    source = catalogue_path(DERIVED_FROM, locales)
    if latin.is_file() and source.is_file():
        try:
            expected = render_latin(locales)
        except Exception as exc:  # reported already by check_catalogue for sr
            expected = None
            problems.append(f"{_rel(latin)}: cannot be regenerated: {exc}")
        if expected is not None and _stable(expected) != _stable(latin.read_text("utf-8")):
            problems.append(f"{_rel(latin)}: stale or hand-edited - run make i18n")
    return problems


# -- command line -------------------------------------------------------------------


def print_stats(locales: Path = LOCALES) -> None:
    print(f"{'language':<22} {'translated':>10} {'reviewed':>10}")
    for language, translated, reviewed in language_stats(locales):
        name = f"{language.code} ({language.native_name})"
        print(f"{name:<22} {translated:>10.0%} {reviewed:>10.0%}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="report problems, write nothing")
    mode.add_argument("--stats", action="store_true", help="translated/reviewed per language")
    parser.add_argument("--drop-obsolete", action="store_true", help="delete #~ entries")
    args = parser.parse_args(argv)
    if args.stats:
        print_stats()
        return 0
    if not args.check:
        for path in update_all(drop_obsolete=args.drop_obsolete):
            print(f"updated {_rel(path)}")
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr if args.check else sys.stdout)
    if args.check:
        return 1 if problems else 0
    if problems:
        print(f"{len(problems)} problems left (listed above); the files are up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
