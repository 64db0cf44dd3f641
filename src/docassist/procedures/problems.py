"""The one problem type for every hand-edited data file (checklists, practice scenarios).

One type, so ``docassist checklists validate`` prints every file's problems alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
