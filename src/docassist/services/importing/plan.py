"""What the dry run found, kept to write exactly that."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from docassist.domain.text import Problem
from docassist.services.importing.problems import RowProblem


@dataclass
class HouseholdPlan:
    """One household to create: its key, its values and the lines of its people."""

    key: str
    values: dict[str, str] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)


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
    households: list[HouseholdPlan] = field(default_factory=list)

    @property
    def people(self) -> int:
        return sum(len(h.lines) for h in self.households)

    @property
    def lines_to_write(self) -> set[int]:
        return {line for h in self.households for line in h.lines}
