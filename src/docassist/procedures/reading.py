"""Reading a hand-edited TOML file: its data, and the lines problems are reported on.

A checklist or scenario file is edited by hand, often by someone who is not a programmer,
so a file that cannot be read is one problem on its line, never an exception.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docassist.procedures.positions import LineLocator
from docassist.procedures.problems import ChecklistProblem

_SYNTAX_POS_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


@dataclass
class SourceFile:
    """A file ``tomllib`` accepted: its text and data, and lines on demand."""

    path: Path
    text: str
    data: dict[str, Any]
    _locator: LineLocator | None = field(default=None, init=False, repr=False, compare=False)

    def line(self, at: Sequence[Any]) -> int:
        """The line of the TOML path ``at`` (or of its nearest written ancestor).

        The locator costs far more than parsing, so it runs once, on the first problem
        to report: loading files that have none never runs it.
        """
        if self._locator is None:
            self._locator = LineLocator(self.text)
        return self._locator.line(at)


def read_toml(path: Path) -> SourceFile | ChecklistProblem:
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
    except RecursionError:
        # Arrays or tables nested thousands deep: tomllib recurses once per level.
        return ChecklistProblem(
            path, 1, "values are nested too deeply to read (arrays inside arrays): not a checklist"
        )
    except ValueError:
        # An integer of thousands of digits: Python refuses to convert it.
        return ChecklistProblem(path, 1, "a number is too long to read (thousands of digits)")
    return SourceFile(path, text, data)


def toml_files(directory: Path) -> list[Path]:
    """The ``*.toml`` files of a folder, sorted; none when it does not exist."""
    return sorted(directory.glob("*.toml")) if directory.is_dir() else []


def files_named(paths: Iterable[Path]) -> list[Path]:
    """Files as named on a command line: a folder stands for its ``*.toml`` files."""
    files: list[Path] = []
    for path in map(Path, paths):
        files += toml_files(path) if path.is_dir() else [path]
    return files
