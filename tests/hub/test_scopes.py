"""Who holds what: a facilitator's laptop pulls the households of their municipalities,
the cases assigned to them (with their households) and the shared records; the hub's
row-level security decides it, not the laptop."""

from __future__ import annotations

import pytest

from docassist.domain.model import Role
from docassist.services import cases, scopes, sync
from docassist.services import households as hh
from docassist.services.cases import StepPlan
from docassist.services.context import ValidationError
from docassist.services.users import create_user
from tests.hub.support import Laptop


@pytest.fixture
def two(tmp_path, hub_dsn):
    sync.init_hub(hub_dsn)
    a, f = Laptop(tmp_path / "coordinator.db"), Laptop(tmp_path / "facilitator.db")
    yield a, f
    a.close()
    f.close()


def test_a_facilitator_pulls_their_municipalities_and_assigned_cases(two, hub_dsn):
    a, f = two
    a.coordinator()
    fikret = create_user(a.ctx, "Fikret", Role.FACILITATOR).id
    nis = a.household("Ramić", "Sabit", municipality="Niš")
    novi_sad = a.household("Petrović", "Ana", municipality="Novi Sad")
    elsewhere = a.household("Nikolić", "Ena", municipality="Novi Sad")
    person = hh.get_household(a.ctx, novi_sad).members[0].id
    case = cases.open_case(a.ctx, person, "id-card", 1, [StepPlan("apply", 7)], assignee_id=fikret)
    scopes.set_scopes(a.ctx, fikret, ["Ниш"])  # either script: one place
    a.connect(hub_dsn)

    f.connect(hub_dsn, fikret)
    held = set(f.rows("households"))
    assert nis in held and novi_sad in held  # Niš, and the household of Fikret's case
    assert elsewhere not in held
    assert cases.get_case(f.ctx, case).assignee_id == fikret
    assert {u["name"] for u in f.rows("users").values()} == {"Milica", "Fikret"}
    # the audit trail about the other household does not reach Fikret's laptop either
    assert not [r for r in f.rows("audit_log").values() if r["entity_id"] == elsewhere]

    # the coordinator's laptop holds everything, Fikret's work included
    f.ctx.user_id = fikret
    f.household("Jovanović", "Sara", municipality="Niš")
    f.sync()
    a.sync()
    assert len(a.rows("households")) == 4


def test_only_a_coordinator_sets_where_someone_works(two):
    a, _ = two
    a.coordinator()
    fikret = create_user(a.ctx, "Fikret", Role.FACILITATOR).id
    a.ctx.user_id = fikret
    with pytest.raises(ValidationError):
        scopes.set_scopes(a.ctx, fikret, ["Niš"])
