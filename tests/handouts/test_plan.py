"""The sections of a person's plan, worked out once for the household screen and the PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from docassist.domain.model import CaseStatus, StepStatus
from docassist.handouts.plan import Through, Waiting, plan_sections
from docassist.procedures import (
    FAMILY_UNKNOWN,
    PREREQUISITE_FAMILY,
    PREREQUISITE_SELF,
    STEP_BLOCKED,
    CaseFacts,
    ChecklistSet,
    PersonFacts,
    Text,
    load_all,
    next_steps,
    validate_files,
)
from tests.procedures.test_nextsteps import EVERYTHING, TODAY, VALID, K, holding


@dataclass(frozen=True)
class Step:
    key: str
    due_date: date | None = None
    blocked_reason: str | None = None


@dataclass(frozen=True)
class Case:
    """Shaped like services.cases.Case, as far as the sections need."""

    id: str
    steps: tuple[Step, ...]
    is_active: bool = True


@pytest.fixture(scope="module")
def checklists() -> ChecklistSet:
    loaded, problems = validate_files(sorted(VALID.glob("*.toml")))
    assert problems == []
    return ChecklistSet(loaded)


def sections_of(person, checklists, *relatives, cases=()):
    family = {p.id: p for p in (person, *relatives)}
    return plan_sections(next_steps(person, family, checklists, TODAY), cases)


def test_no_plan_or_nothing_that_fits_has_no_sections(checklists):
    assert plan_sections(None, []) is None
    plan = next_steps(PersonFacts("p1", "Jovan", 40, {}), {}, ChecklistSet([]), TODAY)
    assert plan_sections(plan, []) is None


def test_a_mother_sees_who_waits_on_her_and_the_child_what_blocks_him(checklists):
    mother = PersonFacts("m1", "Ana", 29, holding(K.BIRTH_REGISTRATION, K.CITIZENSHIP, K.RESIDENCE))
    child = PersonFacts("c1", "Marko", 7, holding(), mother_id="m1")

    hers = sections_of(mother, checklists, child)
    card = next(n for n in hers.next_steps if n.item.checklist.id == "id-card")
    assert card.waiting == (
        Waiting(
            "c1", "Marko", False, ("late-birth-registration",),
            (Through("late-birth-registration"),),
        ),
    )  # fmt: skip
    assert card.due is None  # no case open yet
    assert card.step == card.item.next_step
    assert (hers.nothing_can_start, hers.blocked) == (False, ())
    assert hers.held == (K.BIRTH_REGISTRATION, K.CITIZENSHIP, K.RESIDENCE)

    his = sections_of(child, checklists, mother)
    assert his.next_steps == () and his.nothing_can_start
    late = his.blocked[0]
    assert late.item.checklist.id == "late-birth-registration"
    [line] = late.blockers
    assert line.blocker.kind == PREREQUISITE_FAMILY
    # The checklist's own words go under a prerequisite.
    assert isinstance(line.reason, Text) and line.reason == line.blocker.reason
    kinds = {b.item.checklist.id: [ln.blocker.kind for ln in b.blockers] for b in his.blocked}
    assert kinds["residence"] == [PREREQUISITE_SELF]


def test_a_blocked_step_says_what_was_typed_and_the_due_date_comes_from_the_case(checklists):
    case = CaseFacts(
        "id-card",
        2,
        CaseStatus.BLOCKED,
        step_statuses={"pay-fee": StepStatus.DONE, "take-photo": StepStatus.BLOCKED},
        id="case-1",
    )
    person = PersonFacts(
        "p1", "Jovan", 30, holding(K.BIRTH_REGISTRATION, K.CITIZENSHIP), cases=(case,)
    )
    recorded = Case("case-1", (Step("pay-fee"), Step("take-photo", None, "The camera is broken")))
    sections = sections_of(person, checklists, cases=[recorded])
    blocked = next(b for b in sections.blocked if b.item.checklist.id == "id-card")
    step_line = next(ln for ln in blocked.blockers if ln.blocker.kind == STEP_BLOCKED)
    assert step_line.reason == "The camera is broken"
    # Nothing typed: nothing under the line (the step's title is in the line already).
    quiet = Case("case-1", (Step("pay-fee"), Step("take-photo")))
    blocked = next(
        b
        for b in sections_of(person, checklists, cases=[quiet]).blocked
        if b.item.checklist.id == "id-card"
    )
    assert next(ln for ln in blocked.blockers if ln.blocker.kind == STEP_BLOCKED).reason is None

    # Unblocked, the open case's next step brings its due date along.
    going = CaseFacts("id-card", 2, CaseStatus.OPEN, step_statuses={"pay-fee": StepStatus.DONE},
                      id="case-1")  # fmt: skip
    person = PersonFacts("p1", "Jovan", 30, holding(*EVERYTHING[:3]), cases=(going,))
    recorded = Case("case-1", (Step("pay-fee"), Step("take-photo", date(2026, 12, 1))))
    [card] = [n for n in sections_of(person, checklists, cases=[recorded]).next_steps
              if n.item.checklist.id == "id-card"]  # fmt: skip
    assert (card.step.key, card.due) == ("take-photo", date(2026, 12, 1))
    closed = Case("case-1", recorded.steps, is_active=False)
    [card] = [n for n in sections_of(person, checklists, cases=[closed]).next_steps
              if n.item.checklist.id == "id-card"]  # fmt: skip
    assert card.due is None


def test_notes_are_not_blockers(checklists):
    # The mother is not recorded: "check whether she has it" is a note, not a blocker.
    child = PersonFacts("c1", "Marko", 7, holding())
    sections = sections_of(child, checklists)
    [note] = sections.notes
    assert note.kind == FAMILY_UNKNOWN
    late = next(n for n in sections.next_steps if n.item.checklist.id == "late-birth-registration")
    assert late.item.notes == [note]
    assert all(ln.blocker.blocking for b in sections.blocked for ln in b.blockers)


def test_an_alternative_names_its_main_route():
    # The shipped court route is an "or" to late registration for an unregistered child.
    shipped = load_all(user=False)
    child = PersonFacts("c1", "Emir", 8, holding(), mother_id="m1")
    mother = PersonFacts("m1", "Ajša", 33, holding(*EVERYTHING))
    sections = sections_of(child, shipped, mother)
    [court] = sections.alternatives
    assert court.item.checklist.id == "court-birth-determination"
    assert court.instead_of is shipped.get("late-birth-registration")
    assert "court-birth-determination" not in [n.item.checklist.id for n in sections.next_steps]
