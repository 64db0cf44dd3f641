"""``docassist checklists validate``: every problem in the checklist and scenario files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from docassist import i18n
from docassist.i18n import _

if TYPE_CHECKING:  # imported when run, so `docassist --help` stays quick
    from docassist.procedures.model import Checklist
    from docassist.procedures.problems import ChecklistProblem
    from docassist.procedures.scenarios import Scenario

NAME = "checklists"


def add_parser(sub: argparse._SubParsersAction, codes: list[str]) -> None:
    checklists = sub.add_parser(NAME, help=_("procedure checklists"))
    cl_sub = checklists.add_subparsers(dest="checklists_command", metavar="ACTION", required=True)
    validate = cl_sub.add_parser(
        "validate", help=_("check checklist files and report every problem")
    )
    validate.add_argument("paths", nargs="*", metavar="PATH")


def run(args: argparse.Namespace) -> int:
    from docassist.procedures import validate as validate_paths
    from docassist.procedures import validate_scenarios

    # Practice scenarios refer to checklist steps, so they are checked with the
    # checklists: a renamed step must not silently break a trainee's scenario.
    paths = [Path(p) for p in args.paths]
    scenario_paths = [p for p in paths if _is_scenario_path(p)]
    checklist_paths = [p for p in paths if not _is_scenario_path(p)]
    checklists: list[Checklist] = []
    problems: list[ChecklistProblem] = []
    if checklist_paths or not paths:
        checklists, problems = validate_paths(checklist_paths or None)
    scenarios: list[Scenario] = []
    if scenario_paths or not paths:
        known = checklists if checklist_paths else None  # None: the checklists in use
        scenarios, found = validate_scenarios(scenario_paths or None, checklists=known)
        problems += [p for p in found if p.is_error]
    for problem in problems:
        print(problem, file=sys.stderr)
    # Warnings (a user copy that is not used) are printed but do not fail the check.
    if any(problem.is_error for problem in problems):
        return 1
    if checklists:
        print(
            i18n.ngettext(
                "{n} checklist is valid.", "All {n} checklists are valid.", len(checklists)
            ).format(n=len(checklists))
        )
    if scenarios:
        print(
            i18n.ngettext(
                "{n} practice scenario is valid.",
                "All {n} practice scenarios are valid.",
                len(scenarios),
            ).format(n=len(scenarios))
        )
    return 0


def _is_scenario_path(path: Path) -> bool:
    return "scenarios" in path.parts
