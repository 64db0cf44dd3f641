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
"""

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
from docassist.procedures.validation import validate, validate_files

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
    "validate",
    "validate_files",
    "validate_scenarios",
]
