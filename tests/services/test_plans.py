"""Household plans fed from the register: what the rules are told about each person."""

from __future__ import annotations

import pytest

from docassist.domain.model import DocumentKind, DocumentState, Relation, Sex
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

    household_id, person = _teenager(ctx, make_jmbg(date(2008, 4, 13), "73", 333))
    plan = plans.household_plans(ctx, household_id, load_all(user=False))[person]
    assert DocumentKind.BIRTH_REGISTRATION in plan.held
    steps = [i.checklist.id for i in plan.actionable]
    assert "late-birth-registration" not in steps and "birth-registration" not in steps


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
