"""Laptops and a real hub: push, pull, and the merge rules as they play out."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest

from docassist.domain.sync import ConflictKind
from docassist.services import households as hh
from docassist.services import sync
from docassist.store.migrations import KNOWN
from tests.hub.support import Laptop

SYNCED = ("users", "households", "persons", "documents", "cases", "case_steps", "case_events")


@pytest.fixture
def hub(hub_dsn):
    """An initialised hub; returns its (owner's) DSN."""
    assert sync.init_hub(hub_dsn) is True
    return hub_dsn


def same_everywhere(*laps: Laptop) -> None:
    first = laps[0]
    for table in SYNCED:
        for other in laps[1:]:
            assert other.rows(table) == first.rows(table), table


def test_init_is_idempotent_and_refuses_a_database_with_other_things(hub_dsn):
    assert sync.init_hub(hub_dsn) is True
    assert sync.init_hub(hub_dsn) is False  # again: checked, nothing lost
    with psycopg.connect(hub_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM docassist.meta").fetchone()[0] >= 5
        conn.execute("CREATE TABLE public.payroll (id int)")
    with pytest.raises(sync.HubError, match="payroll"):
        sync.init_hub(hub_dsn)


def test_two_laptops_get_each_others_families(hub, laptops):
    a, b = laptops("a"), laptops("b")
    coordinator = a.coordinator()
    household = a.household("Petrović", "Ana", "Marko")
    first = a.connect(hub)
    assert first.pushed >= 4 and a.pending() == 0
    b.connect(hub, coordinator)
    assert hh.get_household(b.ctx, household).household.family_name == "Petrović"
    # found by search on b: its search text is computed there, not sent
    assert [h.id for h in hh.find_households(b.ctx, "ana")] == [household]
    b.household("Jovanović", "Sara")
    b.sync()
    a.sync()
    same_everywhere(a, b)


def test_syncing_twice_changes_nothing(hub, laptops):
    a = laptops("a")
    a.coordinator()
    a.household("Petrović", "Ana")
    a.connect(hub)
    again = a.sync()
    assert (again.pushed, again.conflicts) == (0, 0)
    assert a.sync().pulled == 0


def _edit_notes(laptop: Laptop, household: str, notes: str) -> None:
    detail = hh.get_household(laptop.ctx, household).household
    hh.update_household(
        laptop.ctx,
        household,
        hh.HouseholdInput(detail.family_name, municipality=detail.municipality, notes=notes),
    )


def test_concurrent_edits_later_wins_and_the_loser_is_kept(hub, laptops):
    a, b = laptops("a"), laptops("b")
    coordinator = a.coordinator()
    household = a.household("Petrović")
    a.connect(hub)
    b.connect(hub, coordinator)
    _edit_notes(b, household, "from b")  # earlier
    _edit_notes(a, household, "from a")  # later by the clock
    b.sync()
    result = a.sync()
    assert result.conflicts == 1
    b.sync()
    for laptop in (a, b):
        assert hh.get_household(laptop.ctx, household).household.notes == "from a"
        (conflict,) = sync.list_conflicts(laptop.ctx)
        assert conflict.kind == ConflictKind.EDIT
        assert conflict.loser.data["notes"] == "from b"
        assert conflict.winner.data["notes"] == "from a"
        assert conflict.loser.device == b.ctx.device_id
        assert conflict.differences() == ["notes"]
    same_everywhere(a, b)


def test_an_edit_after_pulling_is_not_a_conflict(hub, laptops):
    a, b = laptops("a"), laptops("b")
    coordinator = a.coordinator()
    household = a.household("Petrović")
    a.connect(hub)
    b.connect(hub, coordinator)
    _edit_notes(a, household, "first")
    a.sync()
    b.sync()
    _edit_notes(b, household, "second, having seen the first")
    b.sync()
    a.sync()
    assert sync.list_conflicts(a.ctx) == []
    assert hh.get_household(a.ctx, household).household.notes.startswith("second")


def test_a_delete_beats_a_concurrent_later_edit(hub, laptops):
    a, b = laptops("a"), laptops("b")
    coordinator = a.coordinator()
    household = a.household("Petrović", "Ana")
    person = hh.get_household(a.ctx, household).members[0].id
    a.connect(hub)
    b.connect(hub, coordinator)
    hh.remove_person(b.ctx, person)  # earlier
    hh.update_person(a.ctx, person, hh.PersonInput("Ana", "Petrović", notes="later edit"))
    a.sync()
    b.sync()
    a.sync()
    for laptop in (a, b):
        assert list(hh.get_household(laptop.ctx, household).members) == []
        (conflict,) = sync.list_conflicts(laptop.ctx)
        assert conflict.kind == ConflictKind.DELETE
        assert conflict.loser.data["notes"] == "later edit"
    same_everywhere(a, b)


def test_identity_fields_never_resolve_silently(hub, laptops):
    a, b = laptops("a"), laptops("b")
    coordinator = a.coordinator()
    household = a.household("Petrović", "Ana")
    person = hh.get_household(a.ctx, household).members[0].id
    a.connect(hub)
    b.connect(hub, coordinator)
    hh.update_person(b.ctx, person, hh.PersonInput("Ana", "Petrović", birth_date="1990"))
    hh.update_person(a.ctx, person, hh.PersonInput("Ana", "Petrović", birth_date="1991"))
    b.sync()
    a.sync()
    b.sync()
    (conflict,) = sync.list_conflicts(b.ctx)
    assert conflict.kind == ConflictKind.IDENTITY
    assert "birth_date" in conflict.differences()
    # the later value shows meanwhile
    assert hh.get_person(b.ctx, person).birth_date.year == 1991


def test_a_coordinator_puts_the_losing_version_back(hub, laptops):
    a, b = laptops("a"), laptops("b")
    coordinator = a.coordinator()
    household = a.household("Petrović")
    a.connect(hub)
    b.connect(hub, coordinator)
    _edit_notes(b, household, "from b")
    _edit_notes(a, household, "from a")
    b.sync()
    a.sync()
    (conflict,) = sync.list_conflicts(a.ctx)
    sync.resolve_conflict(a.ctx, conflict.id, "loser")
    assert hh.get_household(a.ctx, household).household.notes == "from b"
    assert sync.list_conflicts(a.ctx) == []
    a.sync()
    # b receives the conflict with its settlement: nothing new to settle, and its
    # summary does not say "1 new conflict" (nor does a laptop joining later)
    assert b.sync().conflicts == 0
    assert hh.get_household(b.ctx, household).household.notes == "from b"
    assert sync.list_conflicts(b.ctx) == []  # settled everywhere, with no new conflict
    c = laptops("c")
    assert c.connect(hub, coordinator).conflicts == 0
    assert len(sync.list_conflicts(c.ctx, unresolved_only=False)) == 1
    (entry,) = a.db.execute("SELECT after FROM audit_log WHERE action = 'resolve'").fetchall()
    assert '"loser"' in entry[0]
    same_everywhere(a, b)


def test_a_clock_a_day_behind_does_not_lose_the_later_edit(hub, laptops):
    a = laptops("a")
    b = laptops("b", skew=-timedelta(days=1))
    coordinator = a.coordinator()
    household = a.household("Petrović")
    a.connect(hub)
    b.connect(hub, coordinator)
    _edit_notes(a, household, "a, today")
    a.sync()
    b.sync()
    _edit_notes(b, household, "b, after reading a's, with a clock a day behind")
    b.sync()
    a.sync()
    assert hh.get_household(a.ctx, household).household.notes.startswith("b, after")
    assert sync.list_conflicts(a.ctx) == []


def test_a_push_from_another_schema_version_is_refused(hub, laptops):
    a = laptops("a")
    a.coordinator()
    a.household("Petrović")
    a.connect(hub)
    with psycopg.connect(hub) as conn:
        conn.execute("UPDATE docassist.meta SET value = '12:0012_future:abc' WHERE key = 'schema'")
    a.household("Jovanović")
    waiting = a.pending()
    with pytest.raises(sync.SchemaMismatchError, match="0012_future") as caught:
        a.sync()
    assert KNOWN[-1] in str(caught.value)
    assert a.pending() == waiting


def test_an_unreachable_hub_loses_nothing(hub, laptops, pg):
    a = laptops("a")
    a.coordinator()
    a.connect(hub)
    a.household("Petrović")
    waiting = a.pending()
    pg.stop()
    try:
        with pytest.raises(sync.HubUnreachableError, match="outbox"):
            a.sync()
        assert a.pending() == waiting
    finally:
        pg.start()
    assert a.sync().pushed == waiting
    assert a.pending() == 0


def test_a_revoked_laptop_is_refused_and_keeps_its_outbox(hub, laptops):
    a, b = laptops("a"), laptops("b")
    coordinator = a.coordinator()
    a.household("Petrović")
    a.connect(hub)
    b.connect(hub, coordinator)
    listed = {d.device_id: d for d in sync.list_devices(a.ctx)}
    assert set(listed) == {a.ctx.device_id, b.ctx.device_id}
    assert listed[b.ctx.device_id].last_pull_at is not None
    with pytest.raises(sync.ValidationError):
        sync.revoke_device(a.ctx, a.ctx.device_id[:8])  # not itself
    assert sync.revoke_device(a.ctx, b.ctx.device_id[:8]) == b.ctx.device_id
    b.household("Jovanović")
    waiting = b.pending()
    with pytest.raises(sync.DeviceRefusedError, match="revoked"):
        b.sync()
    assert b.pending() == waiting
    assert sync.list_devices(a.ctx)[-1].revoked_at is not None
    # connecting again does not bring a revoked laptop back
    with pytest.raises(sync.DeviceRefusedError):
        b.connect(hub, coordinator)
    (entry,) = a.db.execute("SELECT entity_id FROM audit_log WHERE action = 'revoke'").fetchall()
    assert entry[0] == b.ctx.device_id


def test_a_new_laptop_gets_a_household_changed_after_its_case(hub, laptops):
    """The hub's order has the case before the household's later change: the new
    laptop applies households first, so the case's place is right."""
    from docassist.services import cases
    from docassist.services.cases import StepPlan

    a, b = laptops("a"), laptops("b")
    a.coordinator()
    household = a.household("Petrović", "Ana", municipality="Niš")
    person = hh.get_household(a.ctx, household).members[0].id
    case = cases.open_case(a.ctx, person, "id-card", 1, [StepPlan("apply", 7)])
    a.connect(hub)
    hh.update_household(a.ctx, household, hh.HouseholdInput("Petrović", municipality="Pirot"))
    a.sync()
    sync.join_hub(b.ctx, hub, "Milica")
    place = b.db.execute("SELECT municipality FROM cases WHERE id = ?", [case]).fetchone()
    assert place == ("Pirot",)
    with pytest.raises(sync.HubError, match="hub join"):
        sync.join_hub(b.ctx, hub, "Milica")  # only a new register joins


def test_a_documents_valid_until_travels_with_it(hub, laptops):
    # issue 15 item 8: the date a document runs out is part of the synced row
    from datetime import date

    from docassist.domain.model import DocumentKind, DocumentState

    a, b = laptops("a"), laptops("b")
    coordinator = a.coordinator()
    household = hh.register_household(
        a.ctx,
        hh.HouseholdInput("Ahmetović", municipality="Niš"),
        [
            hh.PersonInput(
                "Mirela",
                "Ahmetović",
                documents={DocumentKind.ID_CARD: DocumentState.HAVE},
                valid_until={DocumentKind.ID_CARD: "22.11.2026"},
            )
        ],
    )
    a.connect(hub)
    b.connect(hub, coordinator)
    [mirela] = hh.get_household(b.ctx, household).members
    assert mirela.valid_until == {DocumentKind.ID_CARD: date(2026, 11, 22)}
    edited = hh.PersonInput(
        "Mirela",
        "Ahmetović",
        documents={DocumentKind.ID_CARD: DocumentState.HAVE},
        valid_until={DocumentKind.ID_CARD: "01.12.2036"},
    )
    hh.update_person(b.ctx, mirela.id, edited)
    b.sync()
    a.sync()
    assert hh.get_person(a.ctx, mirela.id).valid_until == {DocumentKind.ID_CARD: date(2036, 12, 1)}
    same_everywhere(a, b)


def test_a_conflict_about_a_case_or_its_step_names_whose_case_it_is(hub, laptops):
    """A case's row and its steps' hold only ids: the conflict says whose case it is
    ("Dragan Nikolić: a step of a case"), not "case_steps 9f2c…"."""
    from docassist.domain.model import StepStatus
    from docassist.services import cases
    from docassist.services.cases import StepPlan

    a, b = laptops("a"), laptops("b")
    coordinator = a.coordinator()
    household = a.household("Nikolić", "Dragan")
    person = hh.get_household(a.ctx, household).members[0].id
    case = cases.open_case(a.ctx, person, "id-card", 1, [StepPlan("apply", 7)])
    a.connect(hub)
    b.connect(hub, coordinator)
    cases.set_step_status(b.ctx, case, "apply", StepStatus.DONE)
    cases.set_step_status(a.ctx, case, "apply", StepStatus.SKIPPED)
    b.sync()
    a.sync()
    subjects = {v.table: v.subject() for v in sync.list_conflicts(a.ctx)}
    assert subjects["case_steps"] == "Dragan Nikolić: a step of a case"
    assert subjects.get("cases", "Dragan Nikolić: a case") == "Dragan Nikolić: a case"
