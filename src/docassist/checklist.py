"""Load and validate checklist files (see ``checklists/FORMAT.md``) into domain objects.

A checklist file is edited by hand, often by someone who is not a programmer, so every
problem is reported with the file and the most precise line we can find — never as an
exception. ``tomllib`` keeps no positions, so a small scanner (``_LineLocator``) reads the
raw text a second time and maps each TOML path to the line where it is written.

Standard library only: this module sits below the services and the UI.
"""

from __future__ import annotations

import contextlib
import difflib
import heapq
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from docassist.domain.model import DocumentKind, Institution, PersonStatus
from docassist.domain.script import cyr_to_lat
from docassist.locations import checklists_dir, user_checklists_dir

LANGUAGES = ("en", "sr", "rom")
REVIEW_VALUES = ("draft", "reviewed")
WHO_VALUES = ("self", "mother", "father", "a_parent")
VERIFY_FIELDS = ("cost", "duration", "deadline", "where", "bring")
ORIGINS = ("bundled", "user")

# Lower-case words joined by "-"; digits allowed inside words ("step-2") but a word
# must start with a letter so ids never look like numbers or dates.
_KEY_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*|-[0-9]+)*$")


# --------------------------------------------------------------------------- objects


@dataclass(frozen=True)
class Text:
    """A text given in every written language; ``sr_Latn`` is derived from ``sr``."""

    en: str = ""
    sr: str = ""
    rom: str = ""

    def get(self, lang: str) -> tuple[str, str]:
        """The text in ``lang`` and the language actually used.

        Falls back rather than showing nothing: Romani readers usually read Serbian in
        Latin script, so ``rom`` falls back to derived ``sr_Latn`` before English.
        An unknown ``lang`` is treated as English.
        """
        if lang == "sr":
            chain: tuple[str, ...] = ("sr", "en")
        elif lang == "sr_Latn":
            chain = ("sr_Latn", "en")
        elif lang == "rom":
            chain = ("rom", "sr_Latn", "en")
        else:
            chain = ("en",)
        for candidate in chain:
            if candidate == "sr_Latn":
                value = cyr_to_lat(self.sr) if self.sr.strip() else ""
            else:
                value = getattr(self, candidate)
            if value.strip():
                return value, candidate
        return "", "en"


@dataclass(frozen=True)
class Step:
    key: str
    title: Text
    where: Text
    bring: tuple[Text, ...]
    cost: Text
    duration: Text
    done_when: Text
    institution: Institution | None = None
    typical_days: int | None = None
    deadline: Text | None = None
    tips: Text | None = None
    verify_locally: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Prerequisite:
    checklist: str
    who: str
    reason: Text
    age_min: int | None = None
    age_max: int | None = None

    def applies_at(self, age: int | None) -> bool:
        """Whether the prerequisite counts for a person of ``age``.

        An unknown age counts as in range: we would rather show a requirement that
        might not be needed than hide one that is.
        """
        if age is None:
            return True
        if self.age_min is not None and age < self.age_min:
            return False
        return not (self.age_max is not None and age >= self.age_max)


@dataclass(frozen=True)
class Applies:
    lacks: DocumentKind | None = None
    age_min: int | None = None
    age_max: int | None = None
    status: frozenset[PersonStatus] = frozenset()
    # In days since birth; used instead of age_min/age_max when the exact birth date is
    # known (legal deadlines such as "report within 15 days" are counted in days).
    age_min_days: int | None = None
    age_max_days: int | None = None
    after_refusal_of: str | None = None
    instead_of: str | None = None
    alternative_to: str | None = None


@dataclass(frozen=True)
class Source:
    ref: str
    checked: date
    note: str | None = None


@dataclass(frozen=True)
class RefusalReason:
    key: str
    label: Text


@dataclass(frozen=True)
class Checklist:
    id: str
    version: int
    title: Text
    summary: Text
    for_whom: Text
    produces: DocumentKind | None
    institutions: tuple[Institution, ...]
    review: Mapping[str, str] = field(hash=False)
    applies: Applies
    sources: tuple[Source, ...]
    prerequisites: tuple[Prerequisite, ...]
    steps: tuple[Step, ...]
    refusal_reasons: tuple[RefusalReason, ...]
    path: Path
    origin: str = "bundled"

    def is_draft(self, code: str) -> bool:
        """Whether this checklist's text in ``code`` still waits for a native speaker's
        review; sr_Latn is generated from sr, so sr's state counts for it."""
        return self.review.get("sr" if code == "sr_Latn" else code) != "reviewed"

    def step(self, key: str) -> Step | None:
        """The step with ``key``, or None — a case opened on an older version may name
        steps that no longer exist."""
        for step in self.steps:
            if step.key == key:
                return step
        return None

    @property
    def step_keys(self) -> tuple[str, ...]:
        return tuple(step.key for step in self.steps)


@dataclass
class ChecklistProblem:
    """One problem in one file, in plain English, for the person editing the file."""

    path: Path
    line: int
    message: str
    # "error": the file (or a reference) is unusable and is skipped; "warning": the file
    # is valid but not used (a user copy that loses to the bundled one); "note": worth
    # knowing, nothing is wrong (a user file replacing a bundled one).
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.path}:{self.line}: {prefix}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


# --------------------------------------------------------------------- line locator


class _LineLocator:
    """Maps TOML paths such as ``("steps", 1, "bring", 0)`` to line numbers.

    It scans the text the way a TOML parser would (strings, comments, arrays and inline
    tables) but keeps only positions. It is run on text that ``tomllib`` accepted, and
    stops quietly on anything it does not understand: a partial map still gives useful
    lines, and a wrong guess is never worse than line 1.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._line = 1
        self._lines: dict[tuple[Any, ...], int] = {}
        self._array_tables: dict[tuple[Any, ...], int] = {}
        with contextlib.suppress(IndexError, ValueError):
            self._scan()

    def line(self, path: Sequence[Any]) -> int:
        """The line of ``path``, or of its nearest recorded ancestor (1 at top level)."""
        key = tuple(path)
        while key:
            if key in self._lines:
                return self._lines[key]
            key = key[:-1]
        return 1

    # The scanner ----------------------------------------------------------------

    def _peek(self, offset: int = 0) -> str:
        index = self._pos + offset
        return self._text[index] if index < len(self._text) else ""

    def _advance(self, count: int = 1) -> None:
        end = min(self._pos + count, len(self._text))
        self._line += self._text.count("\n", self._pos, end)
        self._pos = end

    def _skip_blank(self, newlines: bool) -> None:
        while self._pos < len(self._text):
            char = self._text[self._pos]
            if char in " \t" or (newlines and char in "\r\n"):
                self._advance()
            elif char == "#" and newlines:
                while self._pos < len(self._text) and self._text[self._pos] != "\n":
                    self._advance()
            else:
                return

    def _record(self, path: tuple[Any, ...], line: int, *, implicit: bool = False) -> None:
        if implicit:
            self._lines.setdefault(path, line)
        else:
            self._lines[path] = line

    def _scan(self) -> None:
        table: tuple[Any, ...] = ()
        while True:
            self._skip_blank(newlines=True)
            if self._pos >= len(self._text):
                return
            line = self._line
            if self._peek() == "[":
                is_array = self._peek(1) == "["
                self._advance(2 if is_array else 1)
                self._skip_blank(newlines=False)
                keys = self._key()
                self._skip_blank(newlines=False)
                self._advance(2 if is_array else 1)
                table = self._header(keys, line, is_array)
            else:
                keys = self._key()
                self._skip_blank(newlines=False)
                if self._peek() != "=":
                    raise ValueError("expected '='")
                self._advance()
                self._skip_blank(newlines=False)
                self._assign(table, keys, line)

    def _header(self, keys: list[str], line: int, is_array: bool) -> tuple[Any, ...]:
        if is_array:
            parent = self._resolve(keys[:-1])
            array = (*parent, keys[-1])
            index = self._array_tables.get(array, 0)
            self._array_tables[array] = index + 1
            self._record(array, line, implicit=True)
            path = (*array, index)
            self._record(path, line)
        else:
            path = self._resolve(keys)
            self._record(path, line)
        for size in range(1, len(path)):
            self._record(path[:size], line, implicit=True)
        return path

    def _resolve(self, keys: list[str]) -> tuple[Any, ...]:
        # A header such as [steps.title] after [[steps]] means the *last* step.
        path: tuple[Any, ...] = ()
        for key in keys:
            path = (*path, key)
            if path in self._array_tables:
                path = (*path, self._array_tables[path] - 1)
        return path

    def _assign(self, table: tuple[Any, ...], keys: list[str], line: int) -> None:
        path = (*table, *keys)
        for size in range(len(table) + 1, len(path)):
            self._record(path[:size], line, implicit=True)
        self._record(path, line)
        self._value(path)

    def _key(self) -> list[str]:
        keys: list[str] = []
        while True:
            char = self._peek()
            if char in "\"'":
                start = self._pos + 1
                self._string()
                keys.append(self._text[start : self._pos - 1])
            else:
                start = self._pos
                while self._peek() and (self._peek().isalnum() or self._peek() in "_-"):
                    self._advance()
                if self._pos == start:
                    raise ValueError("expected a key")
                keys.append(self._text[start : self._pos])
            self._skip_blank(newlines=False)
            if self._peek() != ".":
                return keys
            self._advance()
            self._skip_blank(newlines=False)

    def _string(self) -> None:
        quote = self._peek()
        if self._text.startswith(quote * 3, self._pos):
            self._advance(3)
            end = self._text.find(quote * 3, self._pos)
            while quote == '"' and end != -1 and _escaped(self._text, end):
                end = self._text.find(quote * 3, end + 1)
            if end == -1:
                raise ValueError("unterminated string")
            self._advance(end - self._pos + 3)
            # Up to two extra quotes may close a multi-line string ("""a"""" is valid).
            for _ in range(2):
                if self._peek() == quote:
                    self._advance()
            return
        self._advance()
        while True:
            char = self._peek()
            if not char or char == "\n":
                raise ValueError("unterminated string")
            if char == "\\" and quote == '"':
                self._advance(2)
                continue
            self._advance()
            if char == quote:
                return

    def _value(self, path: tuple[Any, ...]) -> None:
        char = self._peek()
        if char in "\"'":
            self._string()
        elif char == "[":
            self._advance()
            index = 0
            while True:
                self._skip_blank(newlines=True)
                if self._peek() == "]":
                    self._advance()
                    return
                if not self._peek():
                    raise ValueError("unterminated array")
                self._record((*path, index), self._line)
                self._value((*path, index))
                index += 1
                self._skip_blank(newlines=True)
                if self._peek() == ",":
                    self._advance()
        elif char == "{":
            self._advance()
            while True:
                self._skip_blank(newlines=True)
                if self._peek() == "}":
                    self._advance()
                    return
                if not self._peek():
                    raise ValueError("unterminated inline table")
                line = self._line
                keys = self._key()
                self._skip_blank(newlines=False)
                if self._peek() != "=":
                    raise ValueError("expected '='")
                self._advance()
                self._skip_blank(newlines=False)
                self._assign(path, keys, line)
                self._skip_blank(newlines=True)
                if self._peek() == ",":
                    self._advance()
        else:
            while self._peek() and self._peek() not in ",]}\n#":
                self._advance()


def _escaped(text: str, index: int) -> bool:
    """Whether the character at ``index`` follows an odd number of backslashes."""
    count = 0
    while index - count - 1 >= 0 and text[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1


# ------------------------------------------------------------------------ validator

_TOP_KEYS = {
    "id": True,
    "version": True,
    "title": True,
    "summary": True,
    "for_whom": True,
    "produces": False,
    "institutions": True,
    "review": True,
    "applies": True,
    "sources": True,
    "prerequisites": False,
    "steps": True,
    "refusal_reasons": False,
}
_APPLIES_KEYS = dict.fromkeys(
    (
        "lacks",
        "age_min",
        "age_max",
        "age_min_days",
        "age_max_days",
        "status",
        "after_refusal_of",
        "instead_of",
        "alternative_to",
    ),
    False,
)
_SOURCE_KEYS = {"ref": True, "checked": True, "note": False}
_PREREQUISITE_KEYS = {
    "checklist": True,
    "who": True,
    "reason": True,
    "age_min": False,
    "age_max": False,
}
_STEP_KEYS = {
    "key": True,
    "title": True,
    "institution": False,
    "where": True,
    "bring": True,
    "cost": True,
    "duration": True,
    "typical_days": False,
    "deadline": False,
    "tips": False,
    "done_when": True,
    "verify_locally": False,
}
_REFUSAL_KEYS = {"key": True, "label": True}

# Tokens an editor may legitimately leave in Latin inside Cyrillic text: web and mail
# addresses, which have no Cyrillic spelling that works in a browser.
_ADDRESS_RE = re.compile(
    r"^(?:https?://\S+|www\.\S+|\S+@\S+\.\S+|[\w-]+(?:\.[\w-]+)*\.(?:rs|gov|org|com|net|eu|info)"
    r"(?:/\S*)?)$",
    re.IGNORECASE,
)
_ABBREVIATION_MAX = 5


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return f"text ({value!r})" if len(value) <= 30 else "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, date):
        return "a date"
    return type(value).__name__


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _describe(path: Sequence[Any]) -> str:
    """A path as an editor reads it: ``steps #2, bring #1`` (counting from 1)."""
    parts: list[str] = []
    for part in path:
        if isinstance(part, int):
            parts[-1] = f"{parts[-1]} #{part + 1}" if parts else f"#{part + 1}"
        else:
            parts.append(str(part))
    return ", ".join(parts)


def _latin_words(text: str) -> list[str]:
    """Words of Serbian text that contain Latin letters where Cyrillic is expected."""
    found: list[str] = []
    for token in text.split():
        bare = token.strip(".,;:!?()[]{}\"'«»„“”‘’-–—/")
        if not bare or _ADDRESS_RE.match(bare):
            continue
        runs = re.findall(r"[^\W\d_]+", bare)
        for run in runs:
            latin = "".join(ch for ch in run if unicodedata.name(ch, "").startswith("LATIN"))
            if not latin:
                continue
            # All-caps short Latin runs are abbreviations (JMBG, EU, II): allowed.
            if latin == run and run.isupper() and len(run) <= _ABBREVIATION_MAX:
                continue
            found.append(bare)
            break
    return found


class _FileValidator:
    """Checks one parsed file and builds its ``Checklist`` when nothing is wrong."""

    def __init__(
        self, path: Path, data: dict[str, Any], locator: _LineLocator, origin: str
    ) -> None:
        self.path = path
        self.origin = origin
        self.data = data
        self.loc = locator
        self.problems: list[ChecklistProblem] = []

    # Reporting -------------------------------------------------------------------

    def report(self, where: Sequence[Any], message: str, at: Sequence[Any] | None = None) -> None:
        """Report ``message`` about ``where``, on the line of ``at`` (default ``where``)."""
        label = _describe(where)
        text = f"{label}: {message}" if label else message
        line = self.loc.line(where if at is None else at)
        self.problems.append(ChecklistProblem(self.path, line, text))

    # Shapes ----------------------------------------------------------------------

    def table(self, value: Any, path: tuple[Any, ...], spec: Mapping[str, bool]) -> dict | None:
        if not isinstance(value, dict):
            self.report(path, f"expected a table, found {_type_name(value)}")
            return None
        for key in value:
            if key not in spec:
                hint = _suggest(key, spec)
                if path and key in _TOP_KEYS:
                    # The usual cause: a top-level key written after a [table] header,
                    # where TOML files it under that table.
                    hint = " (top-level keys must come before the first [table] header)"
                self.report(path, f"unknown key '{key}'{hint}", at=(*path, key))
        for key, required in spec.items():
            if required and key not in value:
                self.report(path, f"missing required key '{key}'")
        return value

    def string(self, value: Any, path: tuple[Any, ...]) -> str | None:
        if not isinstance(value, str):
            self.report(path, f"expected text in quotes, found {_type_name(value)}")
            return None
        if not value.strip():
            self.report(path, "must not be empty")
            return None
        return value

    def integer(self, value: Any, path: tuple[Any, ...], minimum: int) -> int | None:
        # bool is an int in Python, but `true` is never a meaningful count or age.
        if not isinstance(value, int) or isinstance(value, bool):
            self.report(path, f"expected a whole number, found {_type_name(value)}")
            return None
        if value < minimum:
            self.report(path, f"must be {minimum} or more, found {value}")
            return None
        return value

    def key_syntax(self, value: Any, path: tuple[Any, ...], what: str) -> str | None:
        text = self.string(value, path)
        if text is None:
            return None
        if not _KEY_RE.match(text):
            self.report(
                path, f"{what} '{text}': use lower-case words joined by '-' (like 'id-card')"
            )
            return None
        return text

    def choice(
        self, value: Any, path: tuple[Any, ...], choices: type[StrEnum] | Sequence[str], what: str
    ) -> str | None:
        allowed = [str(c) for c in choices]
        if not isinstance(value, str):
            self.report(path, f"expected text in quotes, found {_type_name(value)}")
            return None
        if value not in allowed:
            listing = ", ".join(allowed)
            self.report(
                path, f"unknown {what} '{value}'{_suggest(value, allowed)}; use one of: {listing}"
            )
            return None
        return value

    def array(self, value: Any, path: tuple[Any, ...], non_empty: str | None = None) -> list | None:
        if not isinstance(value, list):
            self.report(path, f"expected a list, found {_type_name(value)}")
            return None
        if non_empty and not value:
            self.report(path, non_empty)
            return None
        return value

    def text(self, value: Any, path: tuple[Any, ...]) -> Text | None:
        if not isinstance(value, dict):
            self.report(
                path,
                f'expected a text {{ en = "...", sr = "...", rom = "..." }}, '
                f"found {_type_name(value)}",
            )
            return None
        ok = True
        for lang in value:
            if lang == "sr_Latn":
                self.report(
                    path, "'sr_Latn' is never written: it is derived from 'sr'", at=(*path, lang)
                )
                ok = False
            elif lang not in LANGUAGES:
                self.report(
                    path, f"unknown language '{lang}'{_suggest(lang, LANGUAGES)}", at=(*path, lang)
                )
                ok = False
        texts: dict[str, str] = {}
        for lang in LANGUAGES:
            if lang not in value:
                self.report(path, f"missing language '{lang}'")
                ok = False
                continue
            item = value[lang]
            if not isinstance(item, str):
                self.report(
                    path,
                    f"the '{lang}' text must be in quotes, found {_type_name(item)}",
                    at=(*path, lang),
                )
                ok = False
            elif not item.strip():
                self.report(path, f"the '{lang}' text is empty", at=(*path, lang))
                ok = False
            else:
                texts[lang] = item
        sr = texts.get("sr")
        if sr is not None:
            latin = _latin_words(sr)
            if latin:
                words = ", ".join(f"'{w}'" for w in latin[:3])
                self.report(
                    path,
                    f"the 'sr' text must be Cyrillic; Latin found in {words}",
                    at=(*path, "sr"),
                )
                ok = False
        return Text(**texts) if ok else None

    def text_list(self, value: Any, path: tuple[Any, ...]) -> tuple[Text, ...] | None:
        items = self.array(value, path)
        if items is None:
            return None
        texts = [self.text(item, (*path, index)) for index, item in enumerate(items)]
        return None if any(t is None for t in texts) else tuple(texts)  # type: ignore[misc]

    def optional(self, table: Mapping[str, Any], key: str, path: tuple[Any, ...], check) -> Any:
        return check(table[key], (*path, key)) if key in table else None

    # Sections --------------------------------------------------------------------

    def build(self) -> Checklist | None:
        top = self.table(self.data, (), _TOP_KEYS)
        if top is None:
            return None
        checklist_id = self.optional(top, "id", (), lambda v, p: self.key_syntax(v, p, "id"))
        if checklist_id is not None and checklist_id != self.path.stem:
            self.report(
                ("id",),
                f"'{checklist_id}' does not match the file name "
                f"'{self.path.name}': name the file '{checklist_id}.toml'",
            )
        version = self.optional(top, "version", (), lambda v, p: self.integer(v, p, 1))
        title = self.optional(top, "title", (), self.text)
        summary = self.optional(top, "summary", (), self.text)
        for_whom = self.optional(top, "for_whom", (), self.text)
        produces = self.optional(
            top, "produces", (), lambda v, p: self.choice(v, p, DocumentKind, "document kind")
        )
        institutions = self.optional(top, "institutions", (), self.institutions)
        review = self.optional(top, "review", (), self.review)
        applies = self.optional(top, "applies", (), self.applies)
        sources = self.optional(top, "sources", (), self.sources)
        prerequisites = self.optional(top, "prerequisites", (), self.prerequisites)
        steps = self.optional(top, "steps", (), self.steps)
        refusals = self.optional(top, "refusal_reasons", (), self.refusal_reasons)
        if applies is not None and checklist_id is not None:
            for key in ("after_refusal_of", "instead_of", "alternative_to"):
                if getattr(applies, key) == checklist_id:
                    self.report(("applies", key), "a checklist cannot refer to itself")
        if self.problems:
            return None
        return Checklist(
            id=checklist_id,
            version=version,
            title=title,
            summary=summary,
            for_whom=for_whom,
            produces=DocumentKind(produces) if produces else None,
            institutions=institutions,
            review=review,
            applies=applies,
            sources=sources,
            prerequisites=prerequisites or (),
            steps=steps,
            refusal_reasons=refusals or (),
            path=self.path,
            origin=self.origin,
        )

    def institutions(self, value: Any, path: tuple[Any, ...]) -> tuple[Institution, ...] | None:
        items = self.array(value, path, non_empty="at least one institution is needed")
        if items is None:
            return None
        result: list[Institution] = []
        for index, item in enumerate(items):
            code = self.choice(item, (*path, index), Institution, "institution")
            if code is None:
                continue
            if Institution(code) in result:
                self.report((*path, index), f"'{code}' is listed twice")
                continue
            result.append(Institution(code))
        return tuple(result) if len(result) == len(items) else None

    def review(self, value: Any, path: tuple[Any, ...]) -> dict[str, str] | None:
        table = self.table(value, path, dict.fromkeys(LANGUAGES, True))
        if table is None:
            return None
        result: dict[str, str] = {}
        for lang in LANGUAGES:
            if lang in table:
                state = self.choice(table[lang], (*path, lang), REVIEW_VALUES, "review state")
                if state is not None:
                    result[lang] = state
        ok = len(result) == len(LANGUAGES) and len(table) == len(LANGUAGES)
        return result if ok else None

    def applies(self, value: Any, path: tuple[Any, ...]) -> Applies | None:
        table = self.table(value, path, _APPLIES_KEYS)
        if table is None:
            return None
        before = len(self.problems)
        lacks = self.optional(
            table, "lacks", path, lambda v, p: self.choice(v, p, DocumentKind, "document kind")
        )
        age_min = self.optional(table, "age_min", path, lambda v, p: self.integer(v, p, 0))
        age_max = self.optional(table, "age_max", path, lambda v, p: self.integer(v, p, 1))
        if age_min is not None and age_max is not None and age_min >= age_max:
            self.report(
                (*path, "age_max"), f"must be greater than age_min ({age_min}): nobody could match"
            )
        min_days = self.optional(table, "age_min_days", path, lambda v, p: self.integer(v, p, 0))
        max_days = self.optional(table, "age_max_days", path, lambda v, p: self.integer(v, p, 1))
        if min_days is not None and max_days is not None and min_days >= max_days:
            self.report(
                (*path, "age_max_days"),
                f"must be greater than age_min_days ({min_days}): nobody could match",
            )
        statuses = self.optional(table, "status", path, self.statuses)
        after = self.optional(
            table, "after_refusal_of", path, lambda v, p: self.key_syntax(v, p, "checklist id")
        )
        instead = self.optional(
            table, "instead_of", path, lambda v, p: self.key_syntax(v, p, "checklist id")
        )
        alternative = self.optional(
            table, "alternative_to", path, lambda v, p: self.key_syntax(v, p, "checklist id")
        )
        if len(self.problems) != before:
            return None
        return Applies(
            lacks=DocumentKind(lacks) if lacks else None,
            age_min=age_min,
            age_max=age_max,
            status=statuses or frozenset(),
            age_min_days=min_days,
            age_max_days=max_days,
            after_refusal_of=after,
            instead_of=instead,
            alternative_to=alternative,
        )

    def statuses(self, value: Any, path: tuple[Any, ...]) -> frozenset[PersonStatus] | None:
        # An empty list would match nobody; omit the key to mean "any status".
        items = self.array(value, path, non_empty="list at least one status, or leave 'status' out")
        if items is None:
            return None
        codes = [
            self.choice(item, (*path, i), PersonStatus, "status") for i, item in enumerate(items)
        ]
        if any(code is None for code in codes):
            return None
        return frozenset(PersonStatus(code) for code in codes)

    def sources(self, value: Any, path: tuple[Any, ...]) -> tuple[Source, ...] | None:
        items = self.array(value, path, non_empty="at least one source is needed")
        if items is None:
            return None
        result: list[Source] = []
        for index, item in enumerate(items):
            here = (*path, index)
            table = self.table(item, here, _SOURCE_KEYS)
            if table is None:
                continue
            ref = self.optional(table, "ref", here, self.string)
            checked = self.optional(table, "checked", here, self.iso_date)
            note = self.optional(table, "note", here, self.string)
            if ref is not None and checked is not None and ("note" not in table or note):
                result.append(Source(ref=ref, checked=checked, note=note))
        return tuple(result) if len(result) == len(items) else None

    def iso_date(self, value: Any, path: tuple[Any, ...]) -> date | None:
        # A bare TOML date (checked = 2026-11-01) is unambiguous, so accept it too.
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                    return date.fromisoformat(value)
            except ValueError:
                pass
        self.report(path, f'expected a date like "2026-11-01", found {_type_name(value)}')
        return None

    def prerequisites(self, value: Any, path: tuple[Any, ...]) -> tuple[Prerequisite, ...] | None:
        items = self.array(value, path)
        if items is None:
            return None
        result: list[Prerequisite] = []
        for index, item in enumerate(items):
            here = (*path, index)
            table = self.table(item, here, _PREREQUISITE_KEYS)
            if table is None:
                continue
            before = len(self.problems)
            target = self.optional(
                table, "checklist", here, lambda v, p: self.key_syntax(v, p, "checklist id")
            )
            who = self.optional(
                table, "who", here, lambda v, p: self.choice(v, p, WHO_VALUES, "who")
            )
            reason = self.optional(table, "reason", here, self.text)
            age_min = self.optional(table, "age_min", here, lambda v, p: self.integer(v, p, 0))
            age_max = self.optional(table, "age_max", here, lambda v, p: self.integer(v, p, 1))
            if age_min is not None and age_max is not None and age_min >= age_max:
                self.report((*here, "age_max"), f"must be greater than age_min ({age_min})")
            if len(self.problems) == before and target and who and reason:
                result.append(Prerequisite(target, who, reason, age_min, age_max))
        return tuple(result) if len(result) == len(items) else None

    def unique_key(
        self, key: str | None, seen: dict[str, int], here: tuple[Any, ...], plural: str
    ) -> None:
        """Report a key already used by an earlier item of the same list (``seen``)."""
        if key is None:
            return
        if key in seen:
            self.report((*here, "key"), f"'{key}' is already used by {plural} #{seen[key] + 1}")
        else:
            seen[key] = here[-1]

    def steps(self, value: Any, path: tuple[Any, ...]) -> tuple[Step, ...] | None:
        items = self.array(value, path, non_empty="at least one step is needed")
        if items is None:
            return None
        result: list[Step] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            here = (*path, index)
            table = self.table(item, here, _STEP_KEYS)
            if table is None:
                continue
            before = len(self.problems)
            key = self.optional(table, "key", here, lambda v, p: self.key_syntax(v, p, "step key"))
            self.unique_key(key, seen, here, "steps")
            fields = {
                name: self.optional(table, name, here, self.text)
                for name in ("title", "where", "cost", "duration", "done_when", "deadline", "tips")
            }
            bring = self.optional(table, "bring", here, self.text_list)
            institution = self.optional(
                table,
                "institution",
                here,
                lambda v, p: self.choice(v, p, Institution, "institution"),
            )
            days = self.optional(table, "typical_days", here, lambda v, p: self.integer(v, p, 0))
            verify = (
                self.verify_fields(table["verify_locally"], (*here, "verify_locally"), table)
                if "verify_locally" in table
                else None
            )
            if len(self.problems) != before or key is None:
                continue
            result.append(
                Step(
                    key=key,
                    bring=bring,
                    institution=Institution(institution) if institution else None,
                    typical_days=days,
                    verify_locally=verify or frozenset(),
                    **fields,
                )
            )
        return tuple(result) if len(result) == len(items) else None

    def verify_fields(
        self, value: Any, path: tuple[Any, ...], step: Mapping[str, Any]
    ) -> frozenset[str] | None:
        items = self.array(value, path)
        if items is None:
            return None
        names: set[str] = set()
        ok = True
        for index, item in enumerate(items):
            name = self.choice(item, (*path, index), VERIFY_FIELDS, "field")
            if name is None:
                ok = False
            elif name not in step:
                # Flagging a fact the step does not state would warn about nothing.
                self.report((*path, index), f"names '{name}' but the step has no '{name}'")
                ok = False
            else:
                names.add(name)
        return frozenset(names) if ok else None

    def refusal_reasons(
        self, value: Any, path: tuple[Any, ...]
    ) -> tuple[RefusalReason, ...] | None:
        items = self.array(value, path)
        if items is None:
            return None
        result: list[RefusalReason] = []
        seen: set[str] = set()
        for index, item in enumerate(items):
            here = (*path, index)
            table = self.table(item, here, _REFUSAL_KEYS)
            if table is None:
                continue
            key = self.optional(table, "key", here, lambda v, p: self.key_syntax(v, p, "key"))
            label = self.optional(table, "label", here, self.text)
            if key is not None and key in seen:
                self.report((*here, "key"), f"'{key}' is already used by another refusal reason")
                continue
            if key is not None and label is not None:
                seen.add(key)
                result.append(RefusalReason(key, label))
        return tuple(result) if len(result) == len(items) else None


# ------------------------------------------------------------------------ loading


@dataclass
class _Loaded:
    """One file's result plus what cross-file checks need to point at lines."""

    path: Path
    checklist: Checklist | None
    problems: list[ChecklistProblem]
    locator: _LineLocator | None
    declared_id: str | None  # the id written in the file, even when the file is broken


_SYNTAX_POS_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def read_toml(path: Path) -> tuple[str, dict[str, Any]] | ChecklistProblem:
    """The text and parsed data of a hand-edited TOML file, or the one problem that stops
    it being read (unreadable, not UTF-8, TOML syntax), on its line.

    Shared by every loader of hand-edited data files (checklists, practice scenarios).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return ChecklistProblem(path, 1, f"cannot read the file: {exc.strerror or exc}")
    try:
        # utf-8-sig: Windows Notepad starts UTF-8 files with a byte-order mark, which
        # tomllib would reject as an "invalid statement" on line 1.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return ChecklistProblem(path, line, "the file is not UTF-8 text: save it as UTF-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's error carries its position only inside the message.
        message = str(exc)
        match = _SYNTAX_POS_RE.search(message)
        if match:
            line = int(match.group(1))
            message = f"{message[: match.start()]} (column {match.group(2)})"
        else:
            line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
            message = message.replace("(at end of document)", "at the end of the file").strip()
        return ChecklistProblem(path, line, f"TOML syntax error: {message}")
    return text, data


def _load(path: Path, origin: str) -> _Loaded:
    path = Path(path)
    read = read_toml(path)
    if isinstance(read, ChecklistProblem):
        return _Loaded(path, None, [read], None, None)
    text, data = read
    locator = _LineLocator(text)
    validator = _FileValidator(path, data, locator, origin)
    checklist = validator.build()
    declared = data.get("id") if isinstance(data.get("id"), str) else None
    problems = sorted(validator.problems, key=lambda p: p.line)
    return _Loaded(path, checklist, problems, locator, declared)


def load_file(
    path: Path, origin: str = "bundled"
) -> tuple[Checklist | None, list[ChecklistProblem]]:
    """Load one checklist file; ``None`` when it has any problem. Never raises for bad
    content: syntax errors, wrong types and unreadable files all become problems."""
    if origin not in ORIGINS:
        raise ValueError(f"origin must be one of {ORIGINS}, not {origin!r}")
    loaded = _load(Path(path), origin)
    return loaded.checklist, loaded.problems


def _cross_check(kept: list[_Loaded], broken_ids: set[str]) -> list[ChecklistProblem]:
    """References between files, checked over the files that loaded.

    A reference to a file that exists but failed to load gets its own message, so the
    editor fixes the broken file instead of hunting for a missing one.
    """
    by_id = {entry.checklist.id: entry for entry in kept if entry.checklist}
    problems: list[ChecklistProblem] = []

    def unknown(entry: _Loaded, at: tuple[Any, ...], target: str) -> None:
        line = entry.locator.line(at) if entry.locator else 1
        where = _describe(at)
        if target in broken_ids:
            message = f"{where}: '{target}' could not be loaded (see the problems in its file)"
        else:
            message = f"{where}: no checklist with id '{target}'{_suggest(target, by_id)}"
        problems.append(ChecklistProblem(entry.path, line, message))

    for entry in kept:
        checklist = entry.checklist
        assert checklist is not None
        for key in ("after_refusal_of", "instead_of", "alternative_to"):
            target = getattr(checklist.applies, key)
            if target and target not in by_id:
                unknown(entry, ("applies", key), target)
        alternative = by_id.get(checklist.applies.alternative_to or "")
        if alternative is not None and alternative.checklist.produces != checklist.produces:
            # Another route to the same document, or it is no alternative at all.
            at = ("applies", "alternative_to")
            gives = alternative.checklist.produces
            what = f"gives '{gives}'" if gives else "gives no document"
            problems.append(
                ChecklistProblem(
                    entry.path,
                    entry.locator.line(at) if entry.locator else 1,
                    f"{_describe(at)}: '{alternative.checklist.id}' {what}, but this "
                    f"checklist gives '{checklist.produces or 'none'}': an alternative "
                    "route must give the same document",
                )
            )
        for index, prereq in enumerate(checklist.prerequisites):
            at = ("prerequisites", index, "checklist")
            target_entry = by_id.get(prereq.checklist)
            if target_entry is None:
                unknown(entry, at, prereq.checklist)
            elif target_entry.checklist.produces is None:
                # Prerequisites are met by holding a document; a route that produces
                # none could never be met and would block forever.
                line = entry.locator.line(at) if entry.locator else 1
                problems.append(
                    ChecklistProblem(
                        entry.path,
                        line,
                        f"{_describe(at)}: '{prereq.checklist}' produces no document, "
                        "so it can never be met",
                    )
                )
    problems.extend(_cycles(kept, by_id))
    return problems


def _cycles(kept: list[_Loaded], by_id: Mapping[str, _Loaded]) -> list[ChecklistProblem]:
    """Report each cycle of ``self`` prerequisites once, naming its ids.

    Only ``self`` edges count: a prerequisite on the mother points at another person (a
    generation up), so "the child's registration needs the mother's ID card, which needs
    her own registration" is a chain, not a deadlock.
    """
    graph = {
        cid: sorted(
            {
                p.checklist
                for p in e.checklist.prerequisites
                if p.who == "self" and p.checklist in by_id
            }
        )
        for cid, e in by_id.items()
    }
    seen_cycles: set[tuple[str, ...]] = set()
    problems: list[ChecklistProblem] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :]
                start = cycle.index(min(cycle))
                canonical = tuple(cycle[start:] + cycle[:start])
                if canonical not in seen_cycles:
                    seen_cycles.add(canonical)
                    problems.append(_cycle_problem(canonical, by_id))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return problems


def _cycle_problem(cycle: tuple[str, ...], by_id: Mapping[str, _Loaded]) -> ChecklistProblem:
    # The problem goes on one file, and a broken file is skipped: blame a user's file when
    # the cycle has one, so a user's edit never takes a shipped checklist out of use.
    start = next((i for i, cid in enumerate(cycle) if by_id[cid].checklist.origin == "user"), 0)
    cycle = cycle[start:] + cycle[:start]
    first = by_id[cycle[0]]
    following = cycle[1] if len(cycle) > 1 else cycle[0]
    index = next(
        i
        for i, p in enumerate(first.checklist.prerequisites)
        if p.checklist == following and p.who == "self"
    )
    at = ("prerequisites", index, "checklist")
    line = first.locator.line(at) if first.locator else 1
    names = " -> ".join((*cycle, cycle[0]))
    return ChecklistProblem(first.path, line, f"prerequisites form a cycle: {names}")


def _broken_ids(entries: Iterable[_Loaded]) -> set[str]:
    ids: set[str] = set()
    for entry in entries:
        if entry.checklist is None:
            ids.add(entry.path.stem)
            if entry.declared_id:
                ids.add(entry.declared_id)
    return ids


def _origin_of(path: Path) -> str:
    try:
        bundled = checklists_dir().resolve()
    except FileNotFoundError:
        return "user"
    return "bundled" if Path(path).resolve().is_relative_to(bundled) else "user"


def validate_files(paths: Iterable[Path]) -> tuple[list[Checklist], list[ChecklistProblem]]:
    """Check files one by one and against each other (references, cycles, duplicate ids).

    Returns the checklists that loaded (the first of any duplicated id) and every problem.
    """
    entries = [_load(Path(p), _origin_of(Path(p))) for p in paths]
    problems = [problem for entry in entries for problem in entry.problems]
    kept: list[_Loaded] = []
    first_path: dict[str, Path] = {}
    for entry in entries:
        if entry.checklist is None:
            continue
        cid = entry.checklist.id
        if cid in first_path:
            line = entry.locator.line(("id",)) if entry.locator else 1
            problems.append(
                ChecklistProblem(entry.path, line, f"id '{cid}' is also used by {first_path[cid]}")
            )
            continue
        first_path[cid] = entry.path
        kept.append(entry)
    problems.extend(_cross_check(kept, _broken_ids(entries)))
    return [entry.checklist for entry in kept], problems


def validate_paths(
    paths: Iterable[Path] | None = None, *, notes: bool = False
) -> tuple[list[Checklist], list[ChecklistProblem]]:
    """What ``docassist checklists validate`` checks.

    ``paths`` may name files or folders (their ``*.toml``). ``None`` means what the app
    would load: the bundled checklists and the user's own, with user files allowed to
    replace bundled ones. Notes (such a replacement) are left out unless ``notes`` is
    true; warnings (a user copy that is not used) are always given. Only errors mean
    "something to fix before the file can be used".
    """
    if paths is None:
        loaded = load_all()
        found = loaded.problems if notes else loaded.errors + loaded.warnings
        return list(loaded), found
    files: list[Path] = []
    for path in map(Path, paths):
        files += _toml_files(path) if path.is_dir() else [path]
    # A user's own file names bundled checklists as prerequisites: check it against them,
    # as the app will load it, but report only on the files asked about.
    given = {f.resolve() for f in files}
    alone, _ = validate_files(files)
    own_ids = {c.id for c in alone}
    context = [
        c.path
        for c in load_all(user=False)
        if c.path.resolve() not in given and c.id not in own_ids
    ]
    checklists, problems = validate_files(files + context)
    mine = [c for c in checklists if c.path.resolve() in given]
    problems = [p for p in problems if Path(p.path).resolve() in given]
    # A copy of a shipped checklist in the user's folder is checked on its own above; say
    # too whether the app would use it. (Files elsewhere are not loaded by the app.)
    shipped = {c.id: c for c in load_all(user=False)}
    own_folder = user_checklists_dir().resolve()
    for checklist in mine:
        used = shipped.get(checklist.id)
        if (
            used is not None
            and checklist.version <= used.version
            and checklist.path.resolve().is_relative_to(own_folder)
        ):
            read = read_toml(checklist.path)
            locator = _LineLocator(read[0]) if isinstance(read, tuple) else None
            line = locator.line(("version",)) if locator else 1
            problems.append(_not_used(checklist.path, line, checklist, used))
    return mine, problems


# ---------------------------------------------------------------------- the set


class ChecklistSet:
    """The checklists in use, with the problems met while loading them.

    Iteration follows prerequisites (a procedure comes after what it needs), then id,
    so plans and lists read in the order the work is done and never shuffle.
    """

    def __init__(
        self, checklists: Iterable[Checklist], problems: Iterable[ChecklistProblem] = ()
    ) -> None:
        self._by_id: dict[str, Checklist] = {}
        for checklist in checklists:
            self._by_id.setdefault(checklist.id, checklist)
        self._order = _dependency_order(self._by_id)
        self.problems: list[ChecklistProblem] = list(problems)
        used = {checklist.path for checklist in self._by_id.values()}
        #: Files not in use because something in them (or in what they need) is wrong.
        self.skipped_files: list[Path] = sorted(
            {Path(p.path) for p in self.problems if p.is_error} - used
        )

    def get(self, checklist_id: str) -> Checklist | None:
        return self._by_id.get(checklist_id)

    def __iter__(self) -> Iterator[Checklist]:
        return (self._by_id[cid] for cid in self._order)

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, checklist_id: object) -> bool:
        return checklist_id in self._by_id

    def producing(self, kind: DocumentKind) -> list[Checklist]:
        """Every checklist whose case ends with ``kind`` obtained, in set order."""
        return [c for c in self if c.produces == kind]

    def bundled(self) -> list[Checklist]:
        """The checklists shipped with docassist that are in use (not overridden)."""
        return [c for c in self if c.origin == "bundled"]

    @property
    def errors(self) -> list[ChecklistProblem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[ChecklistProblem]:
        return [p for p in self.problems if p.severity == "warning"]


def _dependency_order(by_id: Mapping[str, Checklist]) -> list[str]:
    """Kahn's algorithm with ties broken by id; anything left in a cycle goes last."""
    before: dict[str, set[str]] = {cid: set() for cid in by_id}
    producers: dict[DocumentKind, set[str]] = {}
    for cid, checklist in by_id.items():
        if checklist.produces is not None:
            producers.setdefault(checklist.produces, set()).add(cid)
    for cid, checklist in by_id.items():
        needs: set[str] = set()
        for prereq in checklist.prerequisites:
            if prereq.who != "self":
                continue
            needs.add(prereq.checklist)
            # A prerequisite is met by the document however it was obtained, so every
            # route to that document reads first (late registration before citizenship).
            target = by_id.get(prereq.checklist)
            if target is not None and target.produces is not None:
                needs |= producers[target.produces]
        # The replaced or refused procedure reads before its alternative.
        a = checklist.applies
        needs.update(x for x in (a.instead_of, a.after_refusal_of, a.alternative_to) if x)
        before[cid] = {n for n in needs if n in by_id and n != cid}
    waiting = {cid: len(needs) for cid, needs in before.items()}
    followers: dict[str, list[str]] = {cid: [] for cid in by_id}
    for cid, needs in before.items():
        for need in needs:
            followers[need].append(cid)
    ready = [cid for cid, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        cid = heapq.heappop(ready)
        order.append(cid)
        for follower in followers[cid]:
            waiting[follower] -= 1
            if waiting[follower] == 0:
                heapq.heappush(ready, follower)
    order.extend(sorted(cid for cid in by_id if cid not in set(order)))
    return order


def _toml_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.toml")) if directory.is_dir() else []


def highest_versions(
    entries: Iterable[Any],
    item_of: Callable[[Any], Any],
    problems: list[ChecklistProblem],
    *,
    clash_is_error: Callable[[Any, Any], bool] = lambda new, old: True,
) -> dict[str, Any]:
    """Keep one loaded file per id: a later copy wins only when its version is higher.

    A stale copy (in the user's folder, say) must not silently undo a fix we shipped.
    ``item_of`` gives the loaded checklist or scenario of an entry (None when broken);
    notes and errors about the copies that lost are appended to ``problems``.
    """
    chosen: dict[str, Any] = {}
    for entry in entries:
        item = item_of(entry)
        if item is None:
            continue
        current = chosen.get(item.id)
        if current is None:
            chosen[item.id] = entry
            continue
        # Point at the version: raising it is what decides which copy wins.
        line = entry.locator.line(("version",)) if entry.locator else 1
        old = item_of(current)
        if item.version > old.version:
            chosen[item.id] = entry
            message = (
                f"replaces '{item.id}' version {old.version} from {current.path} "
                f"with version {item.version}"
            )
            problems.append(ChecklistProblem(entry.path, line, message, severity="note"))
        elif clash_is_error(item, old):
            message = (
                f"not used: id '{item.id}' is also used by {current.path}, version {old.version} "
                f"(raise 'version' above {old.version} to replace it)"
            )
            problems.append(ChecklistProblem(entry.path, line, message))
        else:
            problems.append(_not_used(entry.path, line, item, old))
    return chosen


def _not_used(path: Path, line: int, copy: Any, used: Any) -> ChecklistProblem:
    """A valid copy that is not used because the one in ``used`` wins: a warning.

    Not an error: the copy has nothing wrong and the app runs as before with the shipped
    checklist. But it is not silence either: whoever edited the copy expects to see it.
    """
    where = "the bundled checklist" if getattr(used, "origin", "") == "bundled" else ""
    where = f"{where} {used.path}".strip()
    if copy.version == used.version:
        message = (
            f"not used: same id and version as {where} (version {used.version}); "
            f"raise 'version' to {used.version + 1} to use your copy"
        )
    else:
        message = (
            f"not used: older than {where} (version {used.version}, this copy "
            f"{copy.version}); compare the two, then delete this copy or raise its "
            f"'version' above {used.version}"
        )
    return ChecklistProblem(path, line, message, severity="warning")


def load_all(
    extra_dirs: Iterable[Path] = (), *, bundled: bool = True, user: bool = True
) -> ChecklistSet:
    """Load the bundled checklists, the user's own, and any ``extra_dirs``.

    A broken file is reported and skipped; the rest still load. A user (or extra) file
    with the id of a bundled one replaces it only when its version is higher — an
    older copy lying in the user folder must not silently undo a fix we shipped.
    """
    sources: list[tuple[Path, str]] = []
    if bundled:
        sources += [(p, "bundled") for p in _toml_files(checklists_dir())]
    dirs = [user_checklists_dir()] if user else []
    dirs += [Path(d) for d in extra_dirs]
    for directory in dirs:
        sources += [(p, "user") for p in _toml_files(directory)]

    entries = [_load(path, origin) for path, origin in sources]
    problems = [problem for entry in entries for problem in entry.problems]
    # A file whose references are wrong (an unknown prerequisite, a cycle) is skipped like
    # a file that does not parse. Skipping it can break a file that needs it, or let a
    # lower version of the same id back in, so the choice is made again until it holds.
    skipped: list[_Loaded] = []
    while True:
        found: list[ChecklistProblem] = []
        chosen = highest_versions(
            [entry for entry in entries if entry not in skipped],
            lambda entry: entry.checklist,
            found,
            # Two bundled copies (or two user copies) of one id is a mistake to fix; a
            # user copy that loses to the bundled one is only worth a note.
            clash_is_error=lambda new, old: new.origin == old.origin,
        )
        kept = list(chosen.values())
        broken = _broken_ids(entries) | {entry.checklist.id for entry in skipped}
        found += _cross_check(kept, broken - set(chosen))
        wrong = {p.path for p in found if p.is_error}
        newly = [entry for entry in kept if entry.path in wrong]
        if not newly:
            break
        # Their problems are why they are skipped: keep them, then decide again.
        problems += [p for p in found if p.path in {entry.path for entry in newly}]
        skipped += newly
    problems += found
    return ChecklistSet((entry.checklist for entry in kept), problems)
