"""Procedures as data: checklist files, the next-step rules over them, practice scenarios.

The rest of docassist imports from here, not from the modules, which are:

- ``reading``: read a TOML file; ``positions``: the line of each part, for messages
- ``fields``: shape and text checks shared by every data file
- ``schema``: the checklist rules, one file at a time; ``references``: across files
- ``model``: ``Checklist``, ``Step``, ``Text``, ... and the ``ChecklistSet`` in use
- ``loading``: the shipped checklists plus the user's own; ``validation``: ``validate``
- ``nextsteps``: which procedures apply to a person and what comes next
- ``scenarios``: made-up families a trainee works through

Standard library only (and ``docassist.domain``): no Textual, Rich or storage.

Each name is imported from its module when first used, not when the package is:
the app's first screen needs none of them, and importing them all (with tomllib
and the checklist rules) cost every start about 40 ms of CPU.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docassist.procedures.loading import highest_versions, load_all, load_file
    from docassist.procedures.model import (
        LANGUAGES,
        ORIGINS,
        REVIEW_VALUES,
        VERIFY_FIELDS,
        WHO_VALUES,
        Applies,
        Checklist,
        ChecklistSet,
        Prerequisite,
        RefusalReason,
        Source,
        Step,
        StepCondition,
        Text,
    )
    from docassist.procedures.nextsteps import (
        BLOCKED,
        CORRECTION,
        DISPUTED,
        DONE,
        FAMILY_UNKNOWN,
        IN_PROGRESS,
        NOT_APPLICABLE,
        PREREQUISITE_FAMILY,
        PREREQUISITE_SELF,
        READY,
        STATES,
        STEP_BLOCKED,
        Blocker,
        CaseFacts,
        Deadline,
        NeededFor,
        PersonFacts,
        PersonPlan,
        PlanItem,
        done_routes,
        next_steps,
        refused_entries,
    )
    from docassist.procedures.problems import ChecklistProblem
    from docassist.procedures.scenarios import (
        TOPICS,
        Choice,
        Question,
        Scenario,
        learning_order,
        load_scenario,
        load_scenarios,
        scenarios_dir,
        validate_scenarios,
    )
    from docassist.procedures.skipped import skipped_files
    from docassist.procedures.validation import validate, validate_files

# Where each name lives: ``__getattr__`` imports it from there on first use.
_HOMES = {
    "Applies": "model",
    "BLOCKED": "nextsteps",
    "Blocker": "nextsteps",
    "CORRECTION": "nextsteps",
    "CaseFacts": "nextsteps",
    "Checklist": "model",
    "ChecklistProblem": "problems",
    "ChecklistSet": "model",
    "Choice": "scenarios",
    "DISPUTED": "nextsteps",
    "DONE": "nextsteps",
    "Deadline": "nextsteps",
    "FAMILY_UNKNOWN": "nextsteps",
    "IN_PROGRESS": "nextsteps",
    "LANGUAGES": "model",
    "NOT_APPLICABLE": "nextsteps",
    "NeededFor": "nextsteps",
    "ORIGINS": "model",
    "PREREQUISITE_FAMILY": "nextsteps",
    "PREREQUISITE_SELF": "nextsteps",
    "PersonFacts": "nextsteps",
    "PersonPlan": "nextsteps",
    "PlanItem": "nextsteps",
    "Prerequisite": "model",
    "Question": "scenarios",
    "READY": "nextsteps",
    "REVIEW_VALUES": "model",
    "RefusalReason": "model",
    "STATES": "nextsteps",
    "STEP_BLOCKED": "nextsteps",
    "Scenario": "scenarios",
    "Source": "model",
    "Step": "model",
    "StepCondition": "model",
    "TOPICS": "scenarios",
    "Text": "model",
    "VERIFY_FIELDS": "model",
    "WHO_VALUES": "model",
    "done_routes": "nextsteps",
    "highest_versions": "loading",
    "learning_order": "scenarios",
    "load_all": "loading",
    "load_file": "loading",
    "load_scenario": "scenarios",
    "load_scenarios": "scenarios",
    "next_steps": "nextsteps",
    "refused_entries": "nextsteps",
    "scenarios_dir": "scenarios",
    "skipped_files": "skipped",
    "validate": "validation",
    "validate_files": "validation",
    "validate_scenarios": "scenarios",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # found at once next time
    return value


__all__ = [
    "BLOCKED",
    "CORRECTION",
    "DISPUTED",
    "DONE",
    "FAMILY_UNKNOWN",
    "IN_PROGRESS",
    "LANGUAGES",
    "NOT_APPLICABLE",
    "ORIGINS",
    "PREREQUISITE_FAMILY",
    "PREREQUISITE_SELF",
    "READY",
    "REVIEW_VALUES",
    "STATES",
    "STEP_BLOCKED",
    "TOPICS",
    "VERIFY_FIELDS",
    "WHO_VALUES",
    "Applies",
    "Blocker",
    "CaseFacts",
    "Checklist",
    "Deadline",
    "ChecklistProblem",
    "ChecklistSet",
    "Choice",
    "PersonFacts",
    "PersonPlan",
    "PlanItem",
    "NeededFor",
    "Prerequisite",
    "Question",
    "RefusalReason",
    "Scenario",
    "Source",
    "Step",
    "StepCondition",
    "Text",
    "done_routes",
    "highest_versions",
    "learning_order",
    "load_all",
    "load_file",
    "load_scenario",
    "load_scenarios",
    "next_steps",
    "refused_entries",
    "scenarios_dir",
    "skipped_files",
    "validate",
    "validate_files",
    "validate_scenarios",
]
