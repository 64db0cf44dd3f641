"""A case is followed by someone: set when opened, changed only by a coordinator; the
dashboard's facilitator filter goes by it."""

from __future__ import annotations

import pytest

from docassist.domain.model import Role
from docassist.services import cases
from docassist.services import dashboard as dash
from docassist.services import households as hh
from docassist.services.cases import StepPlan
from docassist.services.context import ValidationError
from docassist.services.users import create_user

STEPS = [StepPlan("gather-papers", 7)]


@pytest.fixture
def person_id(ctx):
    hid = hh.register_household(ctx, hh.HouseholdInput(family_name="Ramić"))
    return hh.add_person(ctx, hid, hh.PersonInput("Sabit", "Ramić"))


def test_whoever_opens_a_case_follows_it_unless_someone_is_named(ctx, person_id):
    ana = create_user(ctx, "Ana", Role.FACILITATOR)
    mine = cases.open_case(ctx, person_id, "id-card", 1, STEPS)
    assert cases.get_case(ctx, mine).assignee_id == ctx.user_id
    hers = cases.open_case(ctx, person_id, "birth", 1, STEPS, assignee_id=ana.id)
    assert cases.get_case(ctx, hers).assignee_id == ana.id


def test_a_trainee_follows_no_case(ctx, person_id):
    trainee = create_user(ctx, "Tea", Role.TRAINEE)
    with pytest.raises(ValidationError):
        cases.open_case(ctx, person_id, "id-card", 1, STEPS, assignee_id=trainee.id)


def test_a_coordinator_reassigns_audited_and_the_dashboard_follows(ctx, person_id):
    ana = create_user(ctx, "Ana", Role.FACILITATOR)
    case_id = cases.open_case(ctx, person_id, "id-card", 1, STEPS)
    assert dash.counts(ctx, dash.Scope(facilitator_id=ana.id)).open == 0
    cases.assign_case(ctx, case_id, ana.id)
    assert cases.get_case(ctx, case_id).assignee_id == ana.id
    assert dash.counts(ctx, dash.Scope(facilitator_id=ana.id)).open == 1
    assert dash.counts(ctx, dash.Scope(facilitator_id=ctx.user_id)).open == 0
    (entry,) = ctx.db.execute(
        "SELECT after FROM audit_log WHERE action = 'assign' AND entity_id = ?", [case_id]
    ).fetchall()
    assert ana.id in entry[0]


def test_a_facilitator_may_not_reassign(ctx, person_id):
    ana = create_user(ctx, "Ana", Role.FACILITATOR)
    case_id = cases.open_case(ctx, person_id, "id-card", 1, STEPS)
    ctx.user_id = ana.id
    with pytest.raises(ValidationError):
        cases.assign_case(ctx, case_id, ana.id)
