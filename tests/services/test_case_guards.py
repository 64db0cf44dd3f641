"""Cases that cannot contradict the record (issue 15 items 10-12), on one family: a
step done before its case was opened or before the person was born, a case opened
before the birth, a case voided the day it was opened by mistake, a second case for a
document the person already holds."""

from __future__ import annotations

import json
from datetime import date

import pytest

from docassist.domain.model import DocumentKind, DocumentState, Outcome, Sex, StepStatus
from docassist.services import cases
from docassist.services import households as hh
from docassist.services.cases import StepPlan
from docassist.services.context import ValidationError
from docassist.services.documents import set_document

from .conftest import TODAY

STEPS = [StepPlan("gather", 7), StepPlan("apply", 15)]


@pytest.fixture
def family(ctx):
    """The Bajrami household: a mother, a son known by his birth year only, a baby of
    twenty days and a grandmother born "about 1950"."""
    hid = hh.register_household(ctx, hh.HouseholdInput(family_name="Bajrami", municipality="Niš"))
    people = {
        "fatima": hh.PersonInput("Fatima", "Bajrami", sex=Sex.FEMALE, birth_date="14.02.1988"),
        "amir": hh.PersonInput("Amir", "Bajrami", sex=Sex.MALE, birth_date="2004"),
        "ena": hh.PersonInput("Ena", "Bajrami", sex=Sex.FEMALE, birth_date="03.11.2026"),
        "hava": hh.PersonInput("Hava", "Bajrami", sex=Sex.FEMALE, birth_date="oko 1950"),
    }
    return {key: hh.add_person(ctx, hid, inp) for key, inp in people.items()}


def _open(ctx, person_id, checklist="id-card", produces=DocumentKind.ID_CARD, **kw):
    return cases.open_case(ctx, person_id, checklist, 1, STEPS, produces=produces, **kw)


def _refusal(err: pytest.ExceptionInfo[ValidationError]) -> tuple[str, str]:
    (problems,) = err.value.problems.values()
    return problems[0].code, problems[0].render()


def _on(ctx, day: date) -> None:
    ctx.today = lambda: day


# -- item 10: dates that cannot be -------------------------------------------------


def test_a_step_is_not_done_before_its_case_was_opened(ctx, family):
    # 01.01.1990 was accepted on a case opened in 2026 for someone born in 2004
    case_id = _open(ctx, family["amir"])
    with pytest.raises(ValidationError) as err:
        cases.set_step_status(ctx, case_id, "gather", StepStatus.DONE, on=date(1990, 1, 1))
    assert _refusal(err) == (
        "before_opened",
        "A step cannot be done before its case was opened (23.11.2026).",
    )
    with pytest.raises(ValidationError) as err:
        cases.set_step_status(ctx, case_id, "gather", StepStatus.DONE, on=date(2026, 11, 22))
    assert _refusal(err)[0] == "before_opened"
    case = cases.get_case(ctx, case_id)
    assert case.steps[0].status == StepStatus.IN_PROGRESS and case.steps[0].done_date is None
    # the day it was opened is a day it may be done
    cases.set_step_status(ctx, case_id, "gather", StepStatus.DONE, on=TODAY)
    assert cases.get_case(ctx, case_id).steps[0].done_date == TODAY


def test_a_case_opened_last_week_takes_a_step_done_since(ctx, family):
    _on(ctx, date(2026, 11, 16))
    case_id = _open(ctx, family["fatima"])
    _on(ctx, TODAY)
    assert cases.get_case(ctx, case_id).opened_on == date(2026, 11, 16)
    cases.set_step_status(ctx, case_id, "gather", StepStatus.DONE, on=date(2026, 11, 16))
    with pytest.raises(ValidationError):
        cases.set_step_status(ctx, case_id, "apply", StepStatus.DONE, on=date(2026, 11, 15))


def test_a_step_is_not_done_before_the_person_was_born(ctx, family):
    # Cases recorded before the rule (the demo's, an import) may say they were opened
    # before the birth: the step's day is still held to the birth, as the record has it.
    for key in ("ena", "amir", "hava"):
        case_id = _open(ctx, family[key], checklist=f"birth-{key}")
        ctx.db.execute("UPDATE cases SET opened_on = '1900-01-01' WHERE id = ?", [case_id])
        refused, accepted = {
            "ena": (date(2026, 11, 2), date(2026, 11, 3)),
            "amir": (date(2003, 12, 31), date(2004, 1, 1)),
            # "about 1950": two years' slack, as a search by year allows
            "hava": (date(1947, 12, 31), date(1948, 1, 1)),
        }[key]
        with pytest.raises(ValidationError) as err:
            cases.set_step_status(ctx, case_id, "gather", StepStatus.DONE, on=refused)
        code, message = _refusal(err)
        assert code == "before_birth", key
        born = {"ena": "03.11.2026", "amir": "2004", "hava": "1950"}[key]
        assert message == f"A step cannot be done before the person was born ({born}).", key
        cases.set_step_status(ctx, case_id, "gather", StepStatus.DONE, on=accepted)


def test_a_case_is_not_opened_before_the_person_was_born(ctx, family):
    # A laptop whose calendar is behind the record (a birth typed on another laptop,
    # or the date set wrong): the baby born on 03.11.2026 has no case on 01.11.2026.
    _on(ctx, date(2026, 11, 1))
    with pytest.raises(ValidationError) as err:
        _open(ctx, family["ena"], "birth-registration", DocumentKind.BIRTH_REGISTRATION)
    assert _refusal(err) == (
        "before_birth",
        "A case cannot be opened before the person was born (03.11.2026).",
    )
    assert cases.cases_of_person(ctx, family["ena"]) == []
    _on(ctx, date(2026, 11, 3))
    _open(ctx, family["ena"], "birth-registration", DocumentKind.BIRTH_REGISTRATION)


def test_a_case_is_not_closed_before_it_was_opened(ctx, family):
    # Closed "obtained" on 01.01.2020 a case opened on 23.11.2026 was accepted: the
    # document's "valid until" was counted from that day and the report counted the case
    # as done years before it began.
    case_id = _open(ctx, family["fatima"])
    for outcome in (Outcome.OBTAINED, Outcome.ABANDONED):
        with pytest.raises(ValidationError) as err:
            cases.close_case(ctx, case_id, outcome, on=date(2020, 1, 1))
        assert _refusal(err) == (
            "before_opened",
            "A case cannot be closed before it was opened (23.11.2026).",
        )
        assert list(err.value.problems) == ["on"]
    case = cases.get_case(ctx, case_id)  # nothing saved
    assert case.is_active and case.outcome is None and case.outcome_date is None
    assert hh.get_person(ctx, family["fatima"]).documents[DocumentKind.ID_CARD] == (
        DocumentState.IN_PROGRESS
    )
    # the day it was opened is a day it may close
    cases.close_case(ctx, case_id, Outcome.OBTAINED, on=TODAY)
    assert cases.get_case(ctx, case_id).outcome_date == TODAY


def test_a_close_the_app_makes_itself_is_not_refused_on_a_calendar_behind(ctx, family):
    # A case opened on a laptop whose calendar runs ahead, then the household removed
    # here: the app's own "abandoned" close is dated the opening day, never refused.
    _on(ctx, date(2026, 11, 25))
    case_id = _open(ctx, family["amir"])
    _on(ctx, TODAY)
    cases.close_case(ctx, case_id, Outcome.ABANDONED, reason="removed")
    assert cases.get_case(ctx, case_id).outcome_date == date(2026, 11, 25)


def test_the_dates_in_a_refusal_are_written_as_the_reader_writes_them(ctx, family):
    from docassist import i18n

    case_id = _open(ctx, family["amir"])
    with pytest.raises(ValidationError) as err:
        cases.set_step_status(ctx, case_id, "gather", StepStatus.DONE, on=date(1990, 1, 1))
    (problems,) = err.value.problems.values()
    i18n.set_language("sr")  # after the refusal was made: it is shown in Serbian
    assert "(23.11.2026.)" in problems[0].render(i18n._)


# -- item 12: a second case for a document held -------------------------------------


def _obtain(ctx, person_id, on: date) -> str:
    day = ctx.today
    _on(ctx, on)
    case_id = _open(ctx, person_id)
    cases.close_case(ctx, case_id, Outcome.OBTAINED, on=on)
    ctx.today = day
    return case_id


def test_a_second_case_for_a_document_held_is_asked_first(ctx, family):
    _obtain(ctx, family["fatima"], date(2026, 5, 12))
    with pytest.raises(ValidationError) as err:
        _open(ctx, family["fatima"])
    assert _refusal(err) == (
        "held",
        "Fatima Bajrami already holds this document: ID card (since 12.05.2026).",
    )
    assert len(cases.cases_of_person(ctx, family["fatima"])) == 1  # nothing opened
    # asked, and told to go on (a card lost or stolen): opened, and the trail says so
    case_id = _open(ctx, family["fatima"], even_if_held=True)
    assert cases.get_case(ctx, case_id).is_active
    (after,) = ctx.db.execute(
        "SELECT after FROM audit_log WHERE action = 'open' AND entity_id = ?", [case_id]
    ).fetchone()
    assert json.loads(after)["held"] is True
    # the card is still held while the new case runs
    assert hh.get_person(ctx, family["fatima"]).documents[DocumentKind.ID_CARD] == (
        DocumentState.HAVE
    )


def test_a_document_declared_held_warns_without_a_date(ctx, family):
    set_document(ctx, family["amir"], DocumentKind.ID_CARD, DocumentState.HAVE)
    with pytest.raises(ValidationError) as err:
        _open(ctx, family["amir"])
    assert _refusal(err) == ("held", "Amir Bajrami already holds this document: ID card.")


def test_a_document_run_out_or_not_held_opens_without_a_question(ctx, family):
    # Fatima's card ran out yesterday: from then it is not held, a renewal is no question
    _obtain(ctx, family["fatima"], date(2016, 11, 23))
    assert hh.get_person(ctx, family["fatima"]).valid_until[DocumentKind.ID_CARD] < TODAY
    _open(ctx, family["fatima"])
    # in progress, missing or never recorded: nothing held
    set_document(ctx, family["amir"], DocumentKind.ID_CARD, DocumentState.MISSING)
    _open(ctx, family["amir"])
    _open(ctx, family["hava"])
    # a procedure that gives no document asks nothing
    _obtain(ctx, family["ena"], date(2026, 11, 10))
    cases.open_case(ctx, family["ena"], "returnee-checklist", 1, STEPS)


def test_the_end_of_a_workshop_skips_who_holds_the_document_and_says_so(ctx, family):
    from docassist.procedures import load_all
    from docassist.services import workshops as ws

    _obtain(ctx, family["fatima"], date(2026, 5, 12))
    household = hh.get_person(ctx, family["fatima"]).household_id
    workshop = ws.start_workshop(ctx, TODAY, "Hall", "Niš", "", ["id-card"], ["rom"])
    ws.add_attendance(ctx, workshop, household)
    result = ws.open_cases_for_attendees(
        ctx,
        workshop,
        [(family["fatima"], "id-card"), (family["amir"], "id-card")],
        load_all(),
    )
    assert [(o.person_id, o.checklist_id) for o in result.opened] == [(family["amir"], "id-card")]
    assert [(s.person_id, s.case_id, s.reason) for s in result.skipped] == [
        (family["fatima"], None, ws.MSG_ALREADY_HELD)
    ]
    assert [c.is_active for c in cases.cases_of_person(ctx, family["fatima"])] == [False]


# -- item 11: a case opened by mistake, voided the same day ----------------------------


def test_a_case_opened_by_mistake_is_voided_the_same_day_and_counts_nowhere(ctx, family):
    from docassist.procedures import load_all
    from docassist.services import dashboard, plans, reports

    checklists = load_all()
    household = hh.get_person(ctx, family["amir"]).household_id
    before = plans.household_plans(ctx, household, checklists)[family["amir"]]
    # the first ID card opened for Amir, meant for his mother
    card = checklists.get("id-card")
    case_id = cases.open_case(
        ctx, family["amir"], card.id, card.version, STEPS, produces=card.produces
    )
    assert dashboard.counts(ctx).open == 1
    cases.void_case(ctx, case_id)

    case = cases.get_case(ctx, case_id)  # the record stays, marked
    assert case.voided_at and case.voided_by == ctx.user_id and not case.is_active
    assert case.outcome is None and [s.key for s in case.steps] == ["gather", "apply"]
    # out of every list, count, plan and report
    assert cases.cases_of_person(ctx, family["amir"]) == []
    assert [c.id for c in cases.cases_of_person(ctx, family["amir"], voided=True)] == [case_id]
    assert dashboard.counts(ctx) == dashboard.Counts(0, 0, 0, 0)
    after = plans.household_plans(ctx, household, checklists)[family["amir"]]
    assert [(i.checklist.id, i.state) for i in after.items] == [
        (i.checklist.id, i.state) for i in before.items
    ]
    assert hh.get_person(ctx, family["amir"]).documents.get(DocumentKind.ID_CARD) in (
        None,
        DocumentState.UNKNOWN,
    )
    period = reports.Period(date(2026, 11, 1), date(2026, 11, 30))
    report = reports.build_report(ctx, period, checklists=checklists)
    summary = {
        reports.localize(label, "en"): value for label, value in report.table("summary").rows
    }
    assert summary["Cases opened"] == 0 and summary["People served"] == 0
    assert summary["Open cases today"] == 0
    # a new case on it opens as if the mistake had never been made
    cases.open_case(ctx, family["amir"], card.id, card.version, STEPS, produces=card.produces)
    # one audit entry, one event: its history stays
    (n,) = ctx.db.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'void' AND entity_id = ?", [case_id]
    ).fetchone()
    assert n == 1
    kinds = [
        k for (k,) in ctx.db.execute("SELECT kind FROM case_events WHERE case_id = ?", [case_id])
    ]
    assert kinds == ["opened", "voided"]
    with pytest.raises(ValidationError) as err:
        cases.reopen_case(ctx, case_id)
    assert _refusal(err)[0] == "voided"


def test_the_document_goes_back_to_what_it_was(ctx, family):
    set_document(ctx, family["fatima"], DocumentKind.ID_CARD, DocumentState.MISSING)
    case_id = _open(ctx, family["fatima"])
    assert hh.get_person(ctx, family["fatima"]).documents[DocumentKind.ID_CARD] == (
        DocumentState.IN_PROGRESS
    )
    cases.void_case(ctx, case_id)
    assert hh.get_person(ctx, family["fatima"]).documents[DocumentKind.ID_CARD] == (
        DocumentState.MISSING
    )


def test_only_whoever_opened_it_and_only_that_day(ctx, family):
    from docassist.domain.model import Role
    from docassist.services.users import create_user

    case_id = _open(ctx, family["hava"])
    me = ctx.user_id
    ctx.user_id = create_user(ctx, "Dragan", Role.COORDINATOR).id
    with pytest.raises(ValidationError) as err:
        cases.void_case(ctx, case_id)
    assert _refusal(err) == ("not_opener", "Only whoever opened a case may void it.")
    ctx.user_id = me
    _on(ctx, date(2026, 11, 24))
    with pytest.raises(ValidationError) as err:
        cases.void_case(ctx, case_id)
    assert _refusal(err) == (
        "not_today",
        "A case can be voided only on the day it was opened (23.11.2026). "
        "Close it as abandoned instead.",
    )
    _on(ctx, TODAY)
    cases.close_case(ctx, case_id, Outcome.ABANDONED)
    with pytest.raises(ValidationError) as err:
        cases.void_case(ctx, case_id)
    assert _refusal(err)[0] == "closed"
    assert cases.get_case(ctx, case_id).voided_at is None
    (n,) = ctx.db.execute("SELECT count(*) FROM audit_log WHERE action = 'void'").fetchone()
    assert n == 0


def test_a_birth_date_is_not_moved_after_the_persons_cases(ctx, family):
    # Ena's birth report was opened on 16.11.2026; her birth date typed again as the
    # 20th would put the case before her birth.
    _on(ctx, date(2026, 11, 16))
    _open(ctx, family["ena"], "birth-registration", DocumentKind.BIRTH_REGISTRATION)
    _on(ctx, TODAY)
    edited = hh.PersonInput("Ena", "Bajrami", sex=Sex.FEMALE, birth_date="20.11.2026")
    with pytest.raises(ValidationError) as err:
        hh.update_person(ctx, family["ena"], edited)
    assert err.value.problems["birth_date"][0].render() == (
        "The birth date cannot be after 16.11.2026: a case of this person was opened, "
        "or a step of one done, that day."
    )
    assert hh.get_person(ctx, family["ena"]).birth_date.day == 3  # nothing saved
    # an earlier birth date, or another change with the birth date kept, is saved
    hh.update_person(
        ctx,
        family["ena"],
        hh.PersonInput("Ena", "Bajrami", sex=Sex.FEMALE, birth_date="01.11.2026"),
    )
    assert hh.get_person(ctx, family["ena"]).birth_date.day == 1
