"""What the import tests share: the fixture list, two JMBGs and a few readers."""

from __future__ import annotations

from pathlib import Path

from docassist.domain.model import Sex
from docassist.services import households as hh
from docassist.services import importing as imp

FIXTURE = Path(__file__).parents[2] / "fixtures" / "import" / "households.csv"
GOOD_MARIJA = "0403990715138"  # a woman born 04.03.1990 in Belgrade
BAD_JMBG = "1501985732306"  # the check digit should be 5


def counts(ctx) -> tuple[int, int, int]:
    return tuple(
        ctx.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("households", "persons", "audit_log")
    )


def existing_nikolic(ctx) -> None:
    """Dragan Nikolić, born 1975, registered before the import (in Cyrillic)."""
    hh.register_household(
        ctx,
        hh.HouseholdInput("Николић", settlement="Crvena Zvezda", municipality="Niš"),
        [hh.PersonInput("Драган", "Николић", birth_date="1975", sex=Sex.MALE)],
    )


def by_line(plan: imp.ImportPlan) -> dict[int, list[imp.RowProblem]]:
    found: dict[int, list[imp.RowProblem]] = {}
    for p in plan.problems:
        found.setdefault(p.line, []).append(p)
    return found
