"""The shape and text checks every hand-edited data file shares.

``FieldChecker`` knows TOML values and our texts (every language inline, Serbian in
Cyrillic), not what a checklist or a scenario is: ``schema.ChecklistChecker`` and
``scenarios.ScenarioChecker`` build on it. Each check reports what is wrong on the line
where it is written and returns None, so one pass finds every problem in a file.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from docassist.procedures.model import LANGUAGES, REVIEW_VALUES, Text
from docassist.procedures.problems import ChecklistProblem
from docassist.procedures.reading import SourceFile

# Lower-case words joined by "-"; digits allowed inside words ("step-2") but a word
# must start with a letter so ids never look like numbers or dates.
KEY_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*|-[0-9]+)*$")

# Tokens an editor may legitimately leave in Latin inside Cyrillic text: web and mail
# addresses, which have no Cyrillic spelling that works in a browser.
_ADDRESS_RE = re.compile(
    r"^(?:https?://\S+|www\.\S+|\S+@\S+\.\S+|[\w-]+(?:\.[\w-]+)*\.(?:rs|gov|org|com|net|eu|info)"
    r"(?:/\S*)?)$",
    re.IGNORECASE,
)
_ABBREVIATION_MAX = 5
# A letter outside the Cyrillic blocks. Serbian text without one cannot hold a Latin
# letter, so most texts skip the per-character look-up below (a third of the check's time).
_NON_CYRILLIC_LETTER_RE = re.compile(r"[^\W\d_\u0400-\u052F]")


def type_name(value: Any) -> str:
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


def suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def describe(path: Sequence[Any]) -> str:
    """A path as an editor reads it: ``steps #2, bring #1`` (counting from 1)."""
    parts: list[str] = []
    for part in path:
        if isinstance(part, int):
            parts[-1] = f"{parts[-1]} #{part + 1}" if parts else f"#{part + 1}"
        else:
            parts.append(str(part))
    return ", ".join(parts)


def latin_words(text: str) -> list[str]:
    """Words of Serbian text that contain Latin letters where Cyrillic is expected."""
    found: list[str] = []
    if not _NON_CYRILLIC_LETTER_RE.search(text):
        return found
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


class FieldChecker:
    """Checks values of one parsed file, collecting its problems in ``problems``."""

    #: Keys that belong at the top of the file: found inside a table, they were most
    #: likely written after a [table] header, and the message says so.
    top_keys: Collection[str] = frozenset()

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.path = source.path
        self.data = source.data
        self.problems: list[ChecklistProblem] = []

    # Reporting -------------------------------------------------------------------

    def report(self, where: Sequence[Any], message: str, at: Sequence[Any] | None = None) -> None:
        """Report ``message`` about ``where``, on the line of ``at`` (default ``where``)."""
        label = describe(where)
        text = f"{label}: {message}" if label else message
        line = self.source.line(where if at is None else at)
        self.problems.append(ChecklistProblem(self.path, line, text))

    # Shapes ----------------------------------------------------------------------

    def table(self, value: Any, path: tuple[Any, ...], spec: Mapping[str, bool]) -> dict | None:
        if not isinstance(value, dict):
            self.report(path, f"expected a table, found {type_name(value)}")
            return None
        for key in value:
            if key not in spec:
                hint = suggest(key, spec)
                if path and key in self.top_keys:
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
            self.report(path, f"expected text in quotes, found {type_name(value)}")
            return None
        if not value.strip():
            self.report(path, "must not be empty")
            return None
        return value

    def integer(self, value: Any, path: tuple[Any, ...], minimum: int) -> int | None:
        # bool is an int in Python, but `true` is never a meaningful count or age.
        if not isinstance(value, int) or isinstance(value, bool):
            self.report(path, f"expected a whole number, found {type_name(value)}")
            return None
        if value < minimum:
            self.report(path, f"must be {minimum} or more, found {value}")
            return None
        return value

    def key_syntax(self, value: Any, path: tuple[Any, ...], what: str) -> str | None:
        text = self.string(value, path)
        if text is None:
            return None
        if not KEY_RE.match(text):
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
            self.report(path, f"expected text in quotes, found {type_name(value)}")
            return None
        if value not in allowed:
            listing = ", ".join(allowed)
            self.report(
                path, f"unknown {what} '{value}'{suggest(value, allowed)}; use one of: {listing}"
            )
            return None
        return value

    def array(self, value: Any, path: tuple[Any, ...], non_empty: str | None = None) -> list | None:
        if not isinstance(value, list):
            self.report(path, f"expected a list, found {type_name(value)}")
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
                f"found {type_name(value)}",
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
                    path, f"unknown language '{lang}'{suggest(lang, LANGUAGES)}", at=(*path, lang)
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
                    f"the '{lang}' text must be in quotes, found {type_name(item)}",
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
            latin = latin_words(sr)
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
        kept = [t for t in texts if t is not None]
        return tuple(kept) if len(kept) == len(texts) else None

    def optional(
        self,
        table: Mapping[str, Any],
        key: str,
        path: tuple[Any, ...],
        check: Callable[[Any, tuple[Any, ...]], Any],
    ) -> Any:
        return check(table[key], (*path, key)) if key in table else None

    def boolean(self, value: Any, path: tuple[Any, ...]) -> bool | None:
        if not isinstance(value, bool):
            self.report(path, f"expected true or false (no quotes), found {type_name(value)}")
            return None
        return value

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
