"""Cases move step by step to an outcome; every move is audited and kept as an event."""

from __future__ import annotations

from datetime import date

import pytest

from docassist.domain.model import CaseStatus, DocumentKind, DocumentState, Outcome, StepStatus
from docassist.services import cases
from docassist.services import households as hh
from docassist.services.cases import StepPlan
from docassist.services.context import ValidationError
from docassist.services.households import HouseholdInput, PersonInput

STEPS = [StepPlan("gather-papers", 7), StepPlan("apply", 15), StepPlan("collect", None)]


@pytest.fixture
def person_id(ctx):
    hid = hh.register_household(ctx, HouseholdInput(family_name="Ramić"))
    return hh.add_person(ctx, hid, PersonInput("Sabit", "Ramić", birth_date="1990"))


def _open(ctx, person_id):
    return cases.open_case(ctx, person_id, "id-card", 1, STEPS, produces=DocumentKind.ID_CARD)


def test_open_case_starts_the_first_step_with_a_due_date(ctx, person_id):
    case = cases.get_case(ctx, _open(ctx, person_id))
    assert case.status == CaseStatus.OPEN
    assert [s.status for s in case.steps] == [
        StepStatus.IN_PROGRESS,
        StepStatus.TODO,
        StepStatus.TODO,
    ]
    assert case.steps[0].due_date == date(2026, 11, 30)
    assert case.next_due == date(2026, 11, 30)
    assert (
        hh.get_person(ctx, person_id).documents[DocumentKind.ID_CARD] == DocumentState.IN_PROGRESS
    )


def test_no_second_open_case_for_the_same_checklist(ctx, person_id):
    _open(ctx, person_id)
    with pytest.raises(ValidationError):
        _open(ctx, person_id)


def test_blocking_a_step_blocks_the_case_and_needs_a_reason(ctx, person_id):
    cid = _open(ctx, person_id)
    with pytest.raises(ValidationError):
        cases.set_step_status(ctx, cid, "gather-papers", StepStatus.BLOCKED)
    cases.set_step_status(
        ctx, cid, "gather-papers", StepStatus.BLOCKED, reason="Mother has no ID card"
    )
    case = cases.get_case(ctx, cid)
    assert case.status == CaseStatus.BLOCKED
    assert case.blocked_reason == "Mother has no ID card"
    cases.set_step_status(ctx, cid, "gather-papers", StepStatus.IN_PROGRESS)
    assert cases.get_case(ctx, cid).status == CaseStatus.OPEN


def test_a_pasted_page_is_refused_as_a_reason_or_a_note(ctx, person_id):
    # A 5,000-character "blocked" reason was saved and then filled the case screen.
    cid = _open(ctx, person_id)
    page = "Majka nema ličnu kartu. " * 210
    for kwargs in (
        {"status": StepStatus.BLOCKED, "reason": page},
        {"status": StepStatus.DONE, "note": page},
    ):
        with pytest.raises(ValidationError) as err:
            cases.set_step_status(ctx, cid, "gather-papers", **kwargs)
        (field,) = err.value.problems
        assert err.value.problems[field][0].code == "too_long"
        assert "at most 500 fit here" in err.value.problems[field][0].render()
    with pytest.raises(ValidationError) as err:
        cases.close_case(ctx, cid, Outcome.REFUSED, reason=page)
    assert err.value.problems["reason"][0].code == "too_long"
    assert cases.get_case(ctx, cid).status == CaseStatus.OPEN  # nothing was saved
    # At the limit it is saved.
    cases.set_step_status(ctx, cid, "gather-papers", StepStatus.BLOCKED, reason="x" * 500)
    assert cases.get_case(ctx, cid).blocked_reason == "x" * 500


def test_done_step_moves_on_and_proposes_the_next_due_date(ctx, person_id):
    today = ctx.today
    ctx.today = lambda: date(2026, 11, 16)  # opened a week ago
    cid = _open(ctx, person_id)
    ctx.today = today
    cases.set_step_status(ctx, cid, "gather-papers", StepStatus.DONE, on=date(2026, 11, 20))
    case = cases.get_case(ctx, cid)
    assert case.steps[0].done_date == date(2026, 11, 20)
    assert case.steps[1].status == StepStatus.IN_PROGRESS
    assert case.steps[1].due_date == date(2026, 12, 8)
    assert case.current_step().key == "apply"


def test_done_in_the_future_is_refused(ctx, person_id):
    cid = _open(ctx, person_id)
    with pytest.raises(ValidationError):
        cases.set_step_status(ctx, cid, "gather-papers", StepStatus.DONE, on=date(2027, 1, 1))


def test_close_obtained_gives_the_document(ctx, person_id):
    cid = _open(ctx, person_id)
    cases.close_case(ctx, cid, Outcome.OBTAINED, on=date(2026, 11, 23))
    case = cases.get_case(ctx, cid)
    assert case.status == CaseStatus.DONE and case.outcome == Outcome.OBTAINED
    assert hh.get_person(ctx, person_id).documents[DocumentKind.ID_CARD] == DocumentState.HAVE
    with pytest.raises(ValidationError):
        cases.set_step_status(ctx, cid, "apply", StepStatus.DONE)


def test_refusal_needs_a_reason_and_can_be_undone(ctx, person_id):
    cid = _open(ctx, person_id)
    with pytest.raises(ValidationError):
        cases.close_case(ctx, cid, Outcome.REFUSED)
    cases.close_case(ctx, cid, Outcome.REFUSED, reason="No proof of residence")
    assert cases.get_case(ctx, cid).status == CaseStatus.CLOSED
    cases.reopen_case(ctx, cid)
    assert cases.get_case(ctx, cid).status == CaseStatus.OPEN


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [(Outcome.OBTAINED, ""), (Outcome.REFUSED, "No proof of residence"), (Outcome.ABANDONED, "")],
)
def test_a_closed_case_keeps_no_step_going_and_nothing_due(ctx, person_id, outcome, reason):
    cid = _open(ctx, person_id)
    cases.set_step_status(ctx, cid, "gather-papers", StepStatus.DONE, on=date(2026, 11, 23))
    cases.set_step_status(ctx, cid, "apply", StepStatus.BLOCKED, reason="Police not in")
    cases.set_step_due(ctx, cid, "collect", date(2026, 12, 20))
    cases.close_case(ctx, cid, outcome, reason=reason)
    case = cases.get_case(ctx, cid)
    assert [(s.status, s.blocked_reason) for s in case.steps] == [
        (StepStatus.DONE, None),
        (StepStatus.TODO, None),
        (StepStatus.TODO, None),
    ]
    assert [s.due_date for s in case.steps[1:]] == [None, None]
    assert case.steps[0].done_date == date(2026, 11, 23)  # what was done stays done
    assert case.next_due is None
    stored = ctx.db.execute(
        "SELECT after FROM audit_log WHERE entity_id = ? AND action = 'close'", [cid]
    ).fetchone()[0]
    assert '"steps_not_started": ["apply", "collect"]' in stored


def test_reopening_starts_the_first_unfinished_step_again(ctx, person_id):
    cid = _open(ctx, person_id)
    cases.set_step_status(ctx, cid, "gather-papers", StepStatus.DONE)
    cases.close_case(ctx, cid, Outcome.ABANDONED)
    cases.reopen_case(ctx, cid)
    case = cases.get_case(ctx, cid)
    assert [s.status for s in case.steps] == [
        StepStatus.DONE,
        StepStatus.IN_PROGRESS,
        StepStatus.TODO,
    ]
    assert case.steps[1].due_date == date(2026, 12, 8)  # today + the step's 15 days
    assert case.next_due == date(2026, 12, 8)


def test_every_change_is_an_event_and_an_audit_entry(ctx, person_id):
    cid = _open(ctx, person_id)
    cases.set_step_status(ctx, cid, "gather-papers", StepStatus.DONE)
    cases.set_step_due(ctx, cid, "apply", date(2026, 12, 1))
    cases.close_case(ctx, cid, Outcome.ABANDONED)
    kinds = [
        r[0]
        for r in ctx.db.execute(
            "SELECT kind FROM case_events WHERE case_id = ? ORDER BY rowid", [cid]
        ).fetchall()
    ]
    assert kinds == ["opened", "step", "due", "closed"]
    timeline = cases.timeline(ctx, cid)
    assert [t.action for t in timeline] == ["close", "due", "step", "open"]
    assert timeline[0].user_name == "Milica"
    assert timeline[2].step_key == "gather-papers"


def test_cases_of_household_and_person(ctx, person_id):
    cid = _open(ctx, person_id)
    person = hh.get_person(ctx, person_id)
    assert [c.id for c in cases.cases_of_person(ctx, person_id)] == [cid]
    assert [c.id for c in cases.cases_of_household(ctx, person.household_id)] == [cid]


def test_household_list_counts_open_blocked_overdue(ctx, person_id):
    cid = _open(ctx, person_id)
    cases.set_step_due(ctx, cid, "gather-papers", date(2026, 11, 1))
    summary = hh.find_households(ctx)[0]
    assert (summary.open_cases, summary.blocked_cases, summary.overdue_cases) == (1, 0, 1)
    assert hh.count_households(ctx, case_filter="overdue") == 1
    assert hh.count_households(ctx, case_filter="blocked") == 0
