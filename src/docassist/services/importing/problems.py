"""What the import says is wrong: with a whole file, or with one row."""

from __future__ import annotations

from dataclasses import dataclass

from docassist.domain.text import Problem, UserError


class ImportFileError(UserError):
    """The file as a whole cannot be imported (missing, unreadable, no such column)."""


@dataclass(frozen=True)
class RowProblem:
    """One reason about one row; ``duplicate`` marks the 'likely the same person' kind,
    ``registered`` the 'already in the register' kind (left out, but not an error in
    the file)."""

    line: int
    field: str | None  # a key of FIELDS, or None for the row as a whole
    problem: Problem
    duplicate: bool = False
    registered: bool = False

    @property
    def is_error(self) -> bool:
        return self.problem.is_error


#: A value from the file is cut to this many characters when a message repeats it.
SHOWN_CHARS = 40


def short(text: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` cut for a message: a 30,000-character cell is not repeated whole."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
