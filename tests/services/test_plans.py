"""Household plans fed from the register: what the rules are told about each person."""

from __future__ import annotations

import pytest

from docassist.domain.model import DocumentKind, DocumentState, Relation, Sex, StepStatus
from docassist.procedures import IN_PROGRESS, load_all
from docassist.services import cases, dashboard, plans
from docassist.services import households as hh
from docassist.services.context import ValidationError

HAVE = DocumentState.HAVE
DOCUMENTED = {kind: HAVE for kind in DocumentKind if kind != DocumentKind.IDP_CARD}


def _family(ctx, baby_born: str) -> dict[str, str]:
    household_id = hh.register_household(
        ctx,
        hh.HouseholdInput("Ramić", consent_date="2026-11-01"),
        [
            hh.PersonInput(
                "Ajša", "Ramić", Relation.HEAD, Sex.FEMALE, "1993", documents=DOCUMENTED
            ),
        ],
    )
    mother = hh.get_household(ctx, household_id).members[0].id
    baby = hh.add_person(
        ctx,
        household_id,
        hh.PersonInput("Emir", "Ramić", Relation.CHILD, Sex.MALE, baby_born, mother_id=mother),
    )
    return {"household": household_id, "baby": baby}


def _first_step(ctx, baby_born: str) -> str:
    ids = _family(ctx, baby_born)
    plan = plans.household_plans(ctx, ids["household"], load_all(user=False))[ids["baby"]]
    return plan.actionable[0].checklist.id


def test_the_exact_birth_date_decides_between_ordinary_and_late_registration(ctx):
    # Today is 23.11.2026 (tests/services/conftest.py).
    assert _first_step(ctx, "13.11.2026") == "birth-registration"  # 10 days old
    assert _first_step(ctx, "23.08.2026") == "late-birth-registration"  # 3 months old


def test_a_birth_date_not_known_to_the_day_falls_back_to_whole_years(ctx):
    assert _first_step(ctx, "08.2026") == "birth-registration"
    assert _first_step(ctx, "~23.08.2026") == "birth-registration"


def _teenager(ctx, jmbg: str) -> tuple[str, str]:
    household_id = hh.register_household(
        ctx,
        hh.HouseholdInput("Asanović", consent_date="2026-11-01"),
        [hh.PersonInput("Đurđa", "Asanović", Relation.HEAD, Sex.FEMALE, "13.04.2008", jmbg=jmbg)],
    )
    return household_id, hh.get_household(ctx, household_id).members[0].id


def test_a_serbian_jmbg_means_the_birth_is_registered(ctx):
    from datetime import date

    from docassist.domain.jmbg import make_jmbg

    # 555: a woman's serial, as the record says (333, a man's, is flagged by the form).
    household_id, person = _teenager(ctx, make_jmbg(date(2008, 4, 13), "73", 555))
    plan = plans.household_plans(ctx, household_id, load_all(user=False))[person]
    assert DocumentKind.BIRTH_REGISTRATION in plan.held
    steps = [i.checklist.id for i in plan.actionable]
    assert "late-birth-registration" not in steps and "birth-registration" not in steps


def test_a_jmbg_the_form_flags_proves_nothing(ctx):
    from datetime import date

    from docassist.domain.jmbg import make_jmbg

    # A man's serial for a woman, and a number whose check digit is wrong.
    flagged = [make_jmbg(date(2008, 4, 13), "73", 333)]
    good = make_jmbg(date(2008, 4, 13), "73", 555)
    flagged.append(good[:12] + str((int(good[12]) + 1) % 10))
    for jmbg in flagged:
        household_id, person = _teenager(ctx, jmbg)
        plan = plans.household_plans(ctx, household_id, load_all(user=False))[person]
        assert DocumentKind.BIRTH_REGISTRATION not in plan.held, jmbg


def test_a_jmbg_from_another_republic_proves_nothing_here(ctx):
    from datetime import date

    from docassist.domain.jmbg import make_jmbg

    household_id, person = _teenager(ctx, make_jmbg(date(2008, 4, 13), "17", 333))  # BiH
    plan = plans.household_plans(ctx, household_id, load_all(user=False))[person]
    assert DocumentKind.BIRTH_REGISTRATION not in plan.held


def test_an_open_case_with_a_recorded_outcome_is_open_everywhere(ctx):
    # A row edited by hand: still open, but with a refusal written in. The register,
    # the dashboard, open_case() and the plan all go by the status (one rule), so
    # the plan shows the case under way rather than offering the court route.
    household_id = hh.register_household(
        ctx,
        hh.HouseholdInput("Ramić", consent_date="2026-11-01"),
        [hh.PersonInput("Dragan", "Ramić", Relation.HEAD, Sex.MALE, "1990")],
    )
    person = hh.get_household(ctx, household_id).members[0].id
    checklists = load_all(user=False)
    late = checklists.get("late-birth-registration")
    steps = [cases.StepPlan(s.key, s.typical_days) for s in late.steps]
    case_id = cases.open_case(ctx, person, late.id, late.version, steps)
    with ctx.db.atomic():
        ctx.db.execute("UPDATE cases SET outcome = 'refused' WHERE id = ?", [case_id])

    assert cases.get_case(ctx, case_id).is_active
    assert dashboard.counts(ctx).open == 1
    assert [h.open_cases for h in hh.find_households(ctx, case_filter="open")] == [1]
    with pytest.raises(ValidationError):
        cases.open_case(ctx, person, late.id, late.version, steps)
    plan = plans.household_plans(ctx, household_id, checklists)[person]
    assert plan.item(late.id).state == IN_PROGRESS
    assert plan.item(late.id).case.id == case_id
    assert plan.item("birth-registration-court") is None


# --- issue 15, item 1: a case's due dates follow the legal deadlines ------------------


def _home_birth(ctx, born: str) -> dict[str, str]:
    """Fatima (no ID card), Safet (all documents) and their baby Emir born at home."""
    from docassist.domain.model import DocumentState as S

    fatima_docs = {DocumentKind.BIRTH_REGISTRATION: S.HAVE, DocumentKind.ID_CARD: S.MISSING}
    household_id = hh.register_household(
        ctx,
        hh.HouseholdInput("Bajramović", consent_date="2026-11-01"),
        [
            hh.PersonInput("Safet", "Bajramović", Relation.HEAD, Sex.MALE, "1999",
                           documents=DOCUMENTED),
            hh.PersonInput("Fatima", "Bajramović", Relation.SPOUSE, Sex.FEMALE, "2002",
                           documents=fatima_docs),
        ],
    )  # fmt: skip
    father, mother = (m.id for m in hh.get_household(ctx, household_id).members)
    baby = hh.add_person(
        ctx,
        household_id,
        hh.PersonInput("Emir", "Bajramović", Relation.CHILD, Sex.MALE, born,
                       mother_id=mother, father_id=father),
    )  # fmt: skip
    return {"household": household_id, "baby": baby, "mother": mother}


def test_a_birth_case_is_due_on_the_days_the_law_counts_from_the_birth(ctx):
    from datetime import date

    ids = _home_birth(ctx, "03.11.2026")  # 20 days before today, 23.11.2026
    checklist = load_all(user=False).get("birth-registration")
    steps = plans.case_steps(ctx, ids["baby"], checklist)
    case_id = cases.open_case(
        ctx, ids["baby"], checklist.id, checklist.version, steps, produces=checklist.produces
    )
    case = cases.get_case(ctx, case_id)
    due = {s.key: s.due_date for s in case.steps}
    # Not today + 15 days: 15 and 30 days after the birth.
    assert due["report-birth"] == date(2026, 11, 18)
    assert due["give-name"] == date(2026, 12, 3)
    assert case.next_due == date(2026, 11, 18)  # the report is late already
    assert dashboard.overdue_cases(ctx)[0].case_id == case_id
    # Done with the report, the name is next, still due on its own legal date.
    cases.set_step_status(ctx, case_id, "report-birth", StepStatus.DONE)
    case = cases.get_case(ctx, case_id)
    assert case.current_step().key == "give-name"
    assert case.current_step().due_date == date(2026, 12, 3)


def test_without_the_exact_birth_date_the_typical_duration_proposes_the_date(ctx):
    from datetime import date

    ids = _home_birth(ctx, "11.2026")
    checklist = load_all(user=False).get("birth-registration")
    case_id = cases.open_case(
        ctx, ids["baby"], checklist.id, checklist.version,
        plans.case_steps(ctx, ids["baby"], checklist),
    )  # fmt: skip
    due = {s.key: s.due_date for s in cases.get_case(ctx, case_id).steps}
    assert due == {
        "report-birth": date(2026, 12, 8),
        "give-name": None,
        "entry-and-jmbg": None,
        "collect-papers": None,
    }


# --- issue 15, item 3: a Kosovo JMBG or birthplace proves no entry reachable today ----


def test_a_kosovo_jmbg_is_not_a_birth_registration_held(ctx):
    from datetime import date

    from docassist.domain.jmbg import make_jmbg
    from docassist.domain.model import PersonStatus

    household_id = hh.register_household(
        ctx,
        hh.HouseholdInput("Beriša", consent_date="2026-11-01"),
        [
            hh.PersonInput("Bajram", "Beriša", Relation.HEAD, Sex.MALE, "14.03.1985",
                           place_of_birth="Priština",
                           jmbg=make_jmbg(date(1985, 3, 14), "91", 123),
                           statuses=frozenset({PersonStatus.IDP})),
            hh.PersonInput("Ljiljana", "Beriša", Relation.SPOUSE, Sex.FEMALE, "1988",
                           jmbg=make_jmbg(date(1988, 6, 2), "73", 555)),
        ],
    )  # fmt: skip
    bajram, ljiljana = (m.id for m in hh.get_household(ctx, household_id).members)
    all_plans = plans.household_plans(ctx, household_id, load_all(user=False))
    plan = all_plans[bajram]
    assert DocumentKind.BIRTH_REGISTRATION not in plan.held
    assert plan.born_in == "kosovo"
    assert plan.actionable[0].checklist.id == "kosovo-relocated-books"
    # A JMBG from Niš (region 73) still means the birth is registered.
    assert DocumentKind.BIRTH_REGISTRATION in all_plans[ljiljana].held


def test_the_court_check_of_kosovo_books_is_skipped_for_people_born_elsewhere(ctx):
    checklist = load_all(user=False).get("court-birth-determination")
    household_id = hh.register_household(
        ctx,
        hh.HouseholdInput("Ramić", consent_date="2026-11-01"),
        [hh.PersonInput("Dragan", "Ramić", Relation.HEAD, Sex.MALE, "1990",
                        place_of_birth="Leskovac")],
    )  # fmt: skip
    person = hh.get_household(ctx, household_id).members[0].id
    steps = plans.case_steps(ctx, person, checklist)
    assert [s.key for s in steps if s.skip] == ["check-kosovo-books"]
    case_id = cases.open_case(ctx, person, checklist.id, checklist.version, steps)
    case = cases.get_case(ctx, case_id)
    assert case.steps[0].status == StepStatus.SKIPPED
    assert case.current_step().key == "get-legal-aid"


@pytest.mark.parametrize(
    ("valid_until", "insured"),
    [("23.11.2026", True), ("22.11.2026", False), ("", True)],
)
def test_the_funds_certificate_counts_as_insured_while_it_is_valid(ctx, valid_until, insured):
    # Today is 23.11.2026: a certificate valid through today proves the insurance; one
    # whose month ended yesterday does not, and the plan proposes the card again.
    documents = {
        kind: HAVE
        for kind in DocumentKind
        if kind not in (DocumentKind.IDP_CARD, DocumentKind.HEALTH_INSURANCE)
    }
    household_id = hh.register_household(
        ctx,
        hh.HouseholdInput("Ramić", consent_date="2026-11-01"),
        [
            hh.PersonInput(
                "Ajša",
                "Ramić",
                Relation.HEAD,
                Sex.FEMALE,
                "1993",
                documents=documents,
                valid_until={DocumentKind.HEALTH_CERTIFICATE: valid_until},
            )
        ],
    )
    person = hh.get_household(ctx, household_id).members[0].id
    plan = plans.household_plans(ctx, household_id, load_all(user=False))[person]
    offered = [i.checklist.id for i in plan.actionable]
    assert ("health-insurance" not in offered) is insured
