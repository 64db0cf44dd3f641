"""The dashboard's numbers and lists follow the cases, within the chosen scope."""

from __future__ import annotations

from datetime import date

import pytest

from docassist.domain.model import Outcome, Role, StepStatus
from docassist.services import cases
from docassist.services import dashboard as dash
from docassist.services import households as hh
from docassist.services.cases import StepPlan
from docassist.services.dashboard import Scope
from docassist.services.households import HouseholdInput, PersonInput
from docassist.services.users import create_user

from .conftest import TODAY

STEPS = [StepPlan("gather", 3), StepPlan("apply", 15), StepPlan("collect", None)]


@pytest.fixture
def people(ctx):
    """Three people in two municipalities; Dragan opens the Leskovac cases."""
    niš = hh.register_household(
        ctx, HouseholdInput(family_name="Ramić", settlement="Crvena zvezda", municipality="Niš")
    )
    sabit = hh.add_person(ctx, niš, PersonInput("Sabit", "Ramić", birth_date="1990"))
    leskovac = hh.register_household(
        ctx,
        HouseholdInput(family_name="Jovanović", settlement="Sat mahala", municipality="Leskovac"),
    )
    vesna = hh.add_person(ctx, leskovac, PersonInput("Vesna", "Jovanović", birth_date="1985"))
    ahmet = hh.add_person(ctx, leskovac, PersonInput("Ahmet", "Jovanović", birth_date="1980"))
    return {"sabit": sabit, "vesna": vesna, "ahmet": ahmet}


def _open(ctx, person_id, checklist="id-card"):
    return cases.open_case(ctx, person_id, checklist, 1, STEPS)


def test_counts_follow_the_cases(ctx, people):
    sabit = _open(ctx, people["sabit"])
    vesna = _open(ctx, people["vesna"])
    _open(ctx, people["ahmet"])
    assert dash.counts(ctx) == dash.Counts(open=3, blocked=0, overdue=0, done_this_month=0)

    cases.set_step_status(ctx, vesna, "gather", StepStatus.BLOCKED, reason="No birth extract")
    cases.set_step_due(ctx, sabit, "gather", date(2026, 11, 20))
    # open and blocked apart: three active cases, one of them blocked
    assert dash.counts(ctx) == dash.Counts(open=2, blocked=1, overdue=1, done_this_month=0)

    cases.close_case(ctx, sabit, Outcome.OBTAINED)
    assert dash.counts(ctx) == dash.Counts(open=1, blocked=1, overdue=0, done_this_month=1)


def test_refused_and_last_month_are_not_done_this_month(ctx, people):
    refused = _open(ctx, people["sabit"])
    cases.close_case(ctx, refused, Outcome.REFUSED, reason="No registered residence")
    ctx.today = lambda: date(2026, 10, 30)  # opened last month, obtained then too
    earlier = _open(ctx, people["vesna"])
    ctx.today = lambda: TODAY
    cases.close_case(ctx, earlier, Outcome.OBTAINED, on=date(2026, 10, 31))
    assert dash.counts(ctx).done_this_month == 0
    assert dash.counts(ctx).open == 0


def test_lists_show_due_overdue_and_blocked_with_reasons(ctx, people):
    due_soon = _open(ctx, people["sabit"])  # first step due in 3 days
    late = _open(ctx, people["vesna"])
    cases.set_step_due(ctx, late, "gather", date(2026, 11, 1))
    blocked = _open(ctx, people["ahmet"])
    cases.set_step_status(ctx, blocked, "gather", StepStatus.DONE)
    cases.set_step_status(ctx, blocked, "apply", StepStatus.BLOCKED, reason="Mother has no ID")

    assert [line.case_id for line in dash.due_this_week(ctx)] == [due_soon]
    assert [line.case_id for line in dash.overdue_cases(ctx)] == [late]
    (line,) = dash.blocked_cases(ctx)
    assert line.case_id == blocked
    assert line.person_name == "Ahmet Jovanović"
    assert line.family_name == "Jovanović"
    assert (line.municipality, line.settlement) == ("Leskovac", "Sat mahala")
    assert line.step_key == "apply"  # the step that holds the case up
    assert line.reason == "Mother has no ID"


def test_a_week_means_today_and_the_six_days_after(ctx, people):
    today = _open(ctx, people["sabit"])
    cases.set_step_due(ctx, today, "gather", date(2026, 11, 23))
    last_day = _open(ctx, people["vesna"])
    cases.set_step_due(ctx, last_day, "gather", date(2026, 11, 29))
    eighth_day = _open(ctx, people["ahmet"])
    cases.set_step_due(ctx, eighth_day, "gather", date(2026, 11, 30))
    assert [line.case_id for line in dash.due_this_week(ctx)] == [today, last_day]
    assert dash.due_this_week_count(ctx) == 2  # 7 days, not 8


def test_scope_by_place_and_facilitator(ctx, people):
    milica = ctx.user_id
    _open(ctx, people["sabit"])
    ctx.user_id = create_user(ctx, "Dragan", Role.FACILITATOR).id
    _open(ctx, people["vesna"])
    _open(ctx, people["ahmet"])

    assert dash.counts(ctx, Scope(municipality="Leskovac")).open == 2
    assert dash.counts(ctx, Scope(municipality="Leskovac", settlement="Nowhere")).open == 0
    assert dash.counts(ctx, Scope(settlement="Crvena zvezda")).open == 1
    assert dash.counts(ctx, Scope(facilitator_id=milica)).open == 1
    assert dash.counts(ctx, Scope(facilitator_id=ctx.user_id)).open == 2
    names = {line.person_name for line in dash.due_this_week(ctx, Scope(municipality="Niš"))}
    assert names == {"Sabit Ramić"}


def test_counts_by_municipality(ctx, people):
    _open(ctx, people["sabit"])
    vesna = _open(ctx, people["vesna"])
    _open(ctx, people["ahmet"])
    cases.set_step_status(ctx, vesna, "gather", StepStatus.BLOCKED, reason="Waiting for court")
    rows = dash.counts_by_municipality(ctx)
    assert rows == [
        dash.MunicipalityCounts("Leskovac", open=1, blocked=1, overdue=0),
        dash.MunicipalityCounts("Niš", open=1, blocked=0, overdue=0),
    ]


def test_counts_by_settlement_add_up_to_the_municipality(ctx, people):
    leskovac = hh.get_person(ctx, people["vesna"]).household_id
    podvorce = hh.register_household(
        ctx, HouseholdInput(family_name="Ramić", settlement="Подворце", municipality="Лесковац")
    )
    fatima = hh.add_person(ctx, podvorce, PersonInput("Fatima", "Ramić", birth_date="1999"))
    again = hh.register_household(
        ctx, HouseholdInput(family_name="Ilić", settlement="Podvorce", municipality="Leskovac")
    )
    zoran = hh.add_person(ctx, again, PersonInput("Zoran", "Ilić", birth_date="1970"))
    _open(ctx, people["sabit"])
    vesna = _open(ctx, people["vesna"])
    _open(ctx, people["ahmet"])
    late = _open(ctx, fatima)
    _open(ctx, zoran)
    cases.set_step_status(ctx, vesna, "gather", StepStatus.BLOCKED, reason="Waiting for court")
    cases.set_step_due(ctx, late, "gather", date(2026, 11, 1))
    assert leskovac != podvorce
    rows = dash.counts_by_settlement(ctx)
    assert [(r.municipality, r.settlement, r.open, r.blocked, r.overdue) for r in rows] == [
        ("Leskovac", "Podvorce", 2, 0, 1),  # Cyrillic and Latin spellings: one settlement
        ("Leskovac", "Sat mahala", 1, 1, 0),
        ("Niš", "Crvena zvezda", 1, 0, 0),
    ]
    assert [(r.municipality_key, r.key) for r in rows] == [
        ("leskovac", "podvorce"),
        ("leskovac", "sat mahala"),
        ("nis", "crvena zvezda"),
    ]
    by_municipality = {r.key: r for r in dash.counts_by_municipality(ctx)}
    for key in ("leskovac", "nis"):
        mine = [r for r in rows if r.municipality_key == key]
        assert sum(r.open for r in mine) == by_municipality[key].open
        assert sum(r.blocked for r in mine) == by_municipality[key].blocked
    cyrillic = dash.counts_by_settlement(ctx, Scope(municipality="leskovac"), "cyrl")
    assert [(r.municipality, r.settlement) for r in cyrillic] == [
        ("Лесковац", "Подворце"),
        ("Лесковац", "Sat mahala"),
    ]


def test_a_household_that_moves_takes_its_cases_along(ctx, people):
    # cases keep a copy of their household's place for fast counting
    _open(ctx, people["sabit"])
    niš = hh.get_person(ctx, people["sabit"]).household_id
    hh.update_household(
        ctx,
        niš,
        HouseholdInput(family_name="Ramić", settlement="Podvorce", municipality="Leskovac"),
    )
    assert [r.municipality for r in dash.counts_by_municipality(ctx)] == ["Leskovac"]
    assert dash.counts(ctx, Scope(municipality="Niš")).open == 0
    assert dash.counts(ctx, Scope(settlement="Podvorce")).open == 1


def test_a_reopened_case_counts_as_open_again(ctx, people):
    case = _open(ctx, people["sabit"])
    cases.close_case(ctx, case, Outcome.ABANDONED)
    assert dash.counts(ctx).open == 0
    cases.reopen_case(ctx, case)
    assert dash.counts(ctx).open == 1
    assert [line.case_id for line in dash.due_this_week(ctx)] == [case]


def test_due_this_week_count_is_not_cut_by_the_list_limit(ctx, people):
    for person in people.values():
        _open(ctx, person)  # each first step is due in 3 days
    _open(ctx, people["sabit"], checklist="residence")
    assert dash.due_this_week_count(ctx) == 4
    assert len(dash.due_this_week(ctx, limit=2)) == 2
    assert dash.due_this_week_count(ctx, Scope(municipality="Niš")) == 2
    assert dash.due_this_week_count(ctx, Scope(settlement="Sat mahala")) == 2
