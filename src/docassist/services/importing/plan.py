"""What the dry run found, kept to write exactly that."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from docassist.domain.text import Problem
from docassist.services.importing.problems import RowProblem


@dataclass
class HouseholdPlan:
    """One household to create: its key, its values and the lines of its people."""

    key: str
    values: dict[str, str] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)
    # line -> (the mother's line, the father's line): parents found on the rows of the
    # same household (by line number or by name), for each row with a parent cell.
    parents: dict[int, tuple[int | None, int | None]] = field(default_factory=dict)
    # line -> field ("mother", "father") -> the cell with its header ("Ime oca: Pera").
    said: dict[int, dict[str, str]] = field(default_factory=dict)

    def parent_notes(self, line: int, linked: tuple[int | None, int | None]) -> list[str]:
        """What the row said of a parent not ``linked`` (named but on no row of the
        household, or on a row left out): kept in the person's notes, not lost."""
        said = self.said.get(line, {})
        return [
            said[f]
            for f, parent in zip(PARENT_FIELDS, linked, strict=True)
            if f in said and parent is None
        ]

    @property
    def unlinked(self) -> int:
        """How many rows name a parent found on no row of the household."""
        return sum(
            1
            for line in self.lines
            if self.parent_notes(line, self.parents.get(line, (None, None)))
        )


#: The columns naming a parent, in the order of ``HouseholdPlan.parents``.
PARENT_FIELDS = ("mother", "father")


@dataclass
class ImportPlan:
    """What the dry run found; ``apply_import`` writes exactly this if the file is unchanged."""

    path: Path
    sheet: str | None
    headers: list[str]
    mapping: dict[str, int]
    skip_duplicates: bool
    stamp: tuple[int, int]  # size and modification time: apply refuses a changed file
    encoding: str | None = None
    notes: list[Problem] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rows: int = 0
    error_rows: int = 0
    duplicate_rows: int = 0
    registered_rows: int = 0  # rows whose JMBG is in the register already: left out
    # Every household the rows make, with every row that passed, likely duplicates too;
    # ``households`` is what the choices leave of them.
    found: list[HouseholdPlan] = field(default_factory=list)
    likely_duplicates: set[int] = field(default_factory=set)  # their lines
    # A likely duplicate's line -> True to import it, False to leave it out; a line not
    # here follows ``skip_duplicates``.
    choices: dict[int, bool] = field(default_factory=dict)

    def keeps(self, line: int) -> bool:
        """Whether the row on ``line`` (one that passed the checks) is imported."""
        if line not in self.likely_duplicates:
            return True
        return self.choices.get(line, not self.skip_duplicates)

    def choose(self, line: int, keep: bool) -> None:
        """Import the likely duplicate on ``line``, or leave it out."""
        if line in self.likely_duplicates:
            self.choices[line] = keep

    @property
    def kept_duplicates(self) -> int:
        return sum(1 for line in self.likely_duplicates if self.keeps(line))

    @property
    def households(self) -> list[HouseholdPlan]:
        """The households to create, each with only the rows the choices keep."""
        kept = []
        for h in self.found:
            lines = [line for line in h.lines if self.keeps(line)]
            if lines:
                kept.append(h if len(lines) == len(h.lines) else replace(h, lines=lines))
        return kept

    @property
    def people(self) -> int:
        return sum(len(h.lines) for h in self.households)

    @property
    def lines_to_write(self) -> set[int]:
        return {line for h in self.households for line in h.lines}
