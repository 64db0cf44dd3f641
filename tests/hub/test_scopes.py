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
    # nor does the audit trail about it (no laptop's trail travels yet)
    assert f.db.execute(
        "SELECT count(*) FROM audit_log WHERE entity_id = ?", [elsewhere]
    ).fetchone() == (0,)

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


def test_a_shrunk_scope_leaves_the_laptop_only_after_its_changes_were_sent(two, hub_dsn):
    a, f = two
    a.coordinator()
    fikret = create_user(a.ctx, "Fikret", Role.FACILITATOR).id
    nis = a.household("Ramić", "Sabit", municipality="Niš")
    pirot = a.household("Petrović", "Ana", municipality="Pirot")
    scopes.set_scopes(a.ctx, fikret, ["Niš", "Pirot"])
    a.connect(hub_dsn)
    f.connect(hub_dsn, fikret)
    f.ctx.user_id = fikret
    assert set(f.rows("households")) == {nis, pirot}

    # offline, Fikret edits the Niš household; meanwhile Niš is taken from him
    hh.update_household(
        f.ctx, nis, hh.HouseholdInput("Ramić", municipality="Niš", notes="new phone")
    )
    scopes.set_scopes(a.ctx, fikret, ["Pirot"])
    a.sync()
    # not before the edit has reached the hub
    assert sync.forget_households_elsewhere(f.ctx, {pirot}) == 0
    assert nis in f.rows("households")
    f.sync()  # sends the edit, then lets the household go
    assert set(f.rows("households")) == {pirot}
    assert f.db.execute(
        "SELECT count(*) FROM persons WHERE household_id = ?", [nis]
    ).fetchone() == (0,)
    # the laptop's own audit trail keeps what was done on it (append-only, not synced)
    assert f.db.execute(
        "SELECT count(*) FROM audit_log WHERE entity_id = ? AND action = 'update'", [nis]
    ).fetchone() == (1,)
    a.sync()
    assert hh.get_household(a.ctx, nis).household.notes == "new phone"
    # nothing of the removal travels: the hub and the coordinator keep the household
    a.sync()
    assert nis in a.rows("households")


def test_a_grown_scope_brings_the_families_already_registered_there(two, hub_dsn):
    """A coordinator gives Fikret another municipality after his laptop has synced: the
    families already registered there were committed on the hub before his laptop's pull
    position, and must come all the same, with their people."""
    a, f = two
    a.coordinator()
    fikret = create_user(a.ctx, "Fikret", Role.FACILITATOR).id
    pirot = a.household("Petrović", "Ana", "Jovan", municipality="Pirot")
    nis = a.household("Ramić", "Sabit", municipality="Niš")
    scopes.set_scopes(a.ctx, fikret, ["Niš"])
    a.connect(hub_dsn)
    f.connect(hub_dsn, fikret)
    f.ctx.user_id = fikret
    # the Niš family is changed again, so Fikret's position passes every row of Pirot's
    hh.update_household(a.ctx, nis, hh.HouseholdInput("Ramić", municipality="Niš", notes="x"))
    a.sync()
    f.sync()
    assert set(f.rows("households")) == {nis}

    scopes.set_scopes(a.ctx, fikret, ["Niš", "Pirot"])
    a.sync()
    f.sync()
    assert set(f.rows("households")) == {nis, pirot}
    assert {p["given_name"] for p in f.rows("persons").values()} == {"Sabit", "Ana", "Jovan"}
    # fetched once: the next sync finds nothing missing and receives nothing
    assert f.sync().pulled == 0


def test_a_case_given_to_a_facilitator_brings_its_household(two, hub_dsn):
    a, f = two
    a.coordinator()
    fikret = create_user(a.ctx, "Fikret", Role.FACILITATOR).id
    pirot = a.household("Petrović", "Ana", municipality="Pirot")
    person = hh.get_household(a.ctx, pirot).members[0].id
    case = cases.open_case(a.ctx, person, "id-card", 1, [StepPlan("apply", 7)])
    nis = a.household("Ramić", "Sabit", municipality="Niš")
    scopes.set_scopes(a.ctx, fikret, ["Niš"])
    a.connect(hub_dsn)
    f.connect(hub_dsn, fikret)
    assert set(f.rows("households")) == {nis}

    cases.assign_case(a.ctx, case, fikret)
    a.sync()
    f.sync()
    assert set(f.rows("households")) == {nis, pirot}
    assert cases.get_case(f.ctx, case).assignee_id == fikret
    assert [s["step_key"] for s in f.rows("case_steps").values()] == ["apply"]
