"""The outbox: every change a use case commits is recorded for sync in the same
transaction, by the triggers and the seal in Context.use_case."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from docassist.domain.model import Role
from docassist.domain.sync import POLICIES, POLICY
from docassist.services import households as hh
from docassist.services.context import Context
from docassist.services.users import create_user
from docassist.store import migrations, outbox
from docassist.store.db import open_database

TODAY = date(2026, 11, 23)


@pytest.fixture
def ctx(tmp_path):
    db = open_database(tmp_path / "register.db")
    context = Context(db, today=lambda: TODAY, now=lambda: "2026-11-23T10:00:00+00:00")
    context.user_id = create_user(context, "Milica", Role.COORDINATOR).id
    outbox.set_state(db, attached=1)
    yield context
    db.close()


def entries(ctx):
    return outbox.pending(ctx.db)


def test_a_register_on_its_own_records_nothing(tmp_path):
    db = open_database(tmp_path / "alone.db")
    ctx = Context(db, today=lambda: TODAY)
    create_user(ctx, "Ana", Role.FACILITATOR)
    assert outbox.count_pending(db) == 0
    assert db.execute("SELECT count(*) FROM sync_dirty").fetchone()[0] == 0
    db.close()


def test_each_row_a_use_case_writes_is_in_the_outbox_with_one_clock(ctx):
    household = hh.register_household(
        ctx, hh.HouseholdInput("Petrović"), [hh.PersonInput("Ana", "Petrović")]
    )
    made = entries(ctx)
    tables = [e.table for e in made]
    assert tables.count("households") == 1 and tables.count("persons") == 1
    assert "audit_log" not in tables  # each laptop's trail is its own chain (not synced)
    assert len({e.version.hlc for e in made}) == 1
    device = ctx.device_id
    (house,) = [e for e in made if e.table == "households"]
    assert house.row_key == household
    assert house.version.vv == {device: house.version.hlc}
    assert house.version.user_id == ctx.user_id
    assert "search_text" not in house.version.data  # derived: each laptop computes it
    assert house.version.data["family_name"] == "Petrović"


def test_a_later_edit_has_a_later_clock_and_grows_the_vector(ctx):
    household = hh.register_household(ctx, hh.HouseholdInput("Petrović"))
    hh.update_household(ctx, household, hh.HouseholdInput("Petrović", settlement="Veliki rit"))
    houses = [e for e in entries(ctx) if e.table == "households"]
    assert len(houses) == 2
    first, second = houses
    assert second.version.hlc > first.version.hlc
    assert second.version.data["settlement"] == "Veliki rit"


def test_a_rolled_back_use_case_leaves_nothing(ctx):
    before = outbox.count_pending(ctx.db)
    with pytest.raises(RuntimeError), ctx.use_case():
        ctx.db.execute("UPDATE users SET name = 'X' WHERE id = ?", [ctx.user_id])
        raise RuntimeError
    assert outbox.count_pending(ctx.db) == before
    assert ctx.db.execute("SELECT count(*) FROM sync_dirty").fetchone()[0] == 0


def test_a_write_that_changes_only_derived_columns_sends_nothing(ctx):
    household = hh.register_household(ctx, hh.HouseholdInput("Petrović"))
    before = outbox.count_pending(ctx.db)
    with ctx.use_case():
        ctx.db.execute("UPDATE households SET search_text = 'x' WHERE id = ?", [household])
    assert outbox.count_pending(ctx.db) == before


def test_writes_outside_a_use_case_are_sealed_by_the_next_one(ctx):
    ctx.db.execute("UPDATE users SET language = 'sr' WHERE id = ?", [ctx.user_id])
    assert outbox.count_pending(ctx.db) == 0  # marked, not yet sealed
    assert ctx.db.execute("SELECT count(*) FROM sync_dirty").fetchone()[0] == 1
    hh.register_household(ctx, hh.HouseholdInput("Jovanović"))
    users = [e for e in entries(ctx) if e.table == "users"]
    assert users[-1].version.data["language"] == "sr"


def test_attaching_marks_what_the_register_already_holds(tmp_path):
    db = open_database(tmp_path / "old.db")
    ctx = Context(db, today=lambda: TODAY, now=lambda: "2026-11-23T10:00:00+00:00")
    hh.register_household(ctx, hh.HouseholdInput("Petrović"), [hh.PersonInput("Ana", "P")])
    with ctx.use_case():
        outbox.set_state(db, attached=1)
        assert outbox.mark_everything(db) == 2  # household, person
    tables = {e.table for e in outbox.pending(db)}
    assert tables == {"households", "persons"}
    with ctx.use_case():
        assert outbox.mark_everything(db) == 0  # each row once
    db.close()


def test_the_triggers_name_rows_as_the_policies_do():
    """Migration 0011 writes its key expressions out (a migration must not change with
    later code); they must stay the policies' keys, table by table."""
    frozen = migrations._SYNCED_KEYS_0011
    # devices: synced from 0011, each laptop's own copy of the hub's names since 0026
    assert set(frozen) - {"devices"} == {p.table for p in POLICIES}
    for table, expression in frozen.items():
        if table not in POLICY:
            continue
        assert re.sub(r"\s", "", expression.format(r="t")) == re.sub(
            r"\s", "", outbox.key_sql(POLICY[table], "t")
        ), table


def test_every_synced_table_has_its_three_triggers(ctx):
    names = {r[0] for r in ctx.db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    for policy in POLICIES:
        for suffix in ("ai", "au", "ad"):
            assert f"sync_{policy.table}_{suffix}" in names


def test_a_document_is_named_by_person_and_kind(ctx):
    """Two laptops recording the same person's document of one kind make one row."""
    from docassist.domain.model import DocumentKind, DocumentState

    household = hh.register_household(
        ctx,
        hh.HouseholdInput("Petrović"),
        [hh.PersonInput("Ana", "Petrović", documents={DocumentKind.ID_CARD: DocumentState.HAVE})],
    )
    person = hh.get_household(ctx, household).members[0].id
    (doc,) = [e for e in entries(ctx) if e.table == "documents"]
    assert doc.row_key == f"{person}/{DocumentKind.ID_CARD.value}"
    assert json.loads(json.dumps(doc.version.data))["state"] == DocumentState.HAVE.value


def test_a_rows_waiting_changes_are_found_by_index_not_by_reading_the_outbox(ctx):
    # applying a pull asks this once per arriving row: a scan of a long outbox each
    # time made a large pull into a laptop that had been offline quadratic
    plan = ctx.db.execute(
        "EXPLAIN QUERY PLAN SELECT hlc, vv, deleted, data, user_id FROM sync_outbox "
        "WHERE tbl = ? AND row_key = ? ORDER BY seq",
        ["persons", "x"],
    ).fetchall()
    detail = " ".join(str(r[-1]) for r in plan)
    assert "USING INDEX sync_outbox_row" in detail, detail
    hh.register_household(ctx, hh.HouseholdInput("Petrović"), [hh.PersonInput("Ana", "P")])
    (person,) = [e for e in entries(ctx) if e.table == "persons"]
    assert [v.hlc for v in outbox.pending_for(ctx.db, "persons", person.row_key)] == [
        person.version.hlc
    ]


def test_a_voided_case_travels_with_the_day_it_was_opened_and_who_voided_it(ctx):
    # Issue 15 items 10 and 11: cases.opened_on (m0015), voided_at and voided_by (m0016)
    # go out with the row. Voiding also puts the document back: an update of a row
    # the sync triggers mark, which an upsert could not do on an attached register.
    from docassist.domain.model import DocumentKind
    from docassist.services import cases
    from docassist.services.cases import StepPlan

    household = hh.register_household(
        ctx, hh.HouseholdInput("Petrović"), [hh.PersonInput("Ana", "Petrović", birth_date="1990")]
    )
    (ana,) = hh.get_household(ctx, household).members
    case_id = cases.open_case(
        ctx, ana.id, "id-card", 1, [StepPlan("gather", 7)], produces=DocumentKind.ID_CARD
    )
    cases.void_case(ctx, case_id)
    case = [e for e in entries(ctx) if e.table == "cases" and e.row_key == case_id][-1]
    assert case.version.data["opened_on"] == "2026-11-23"
    assert case.version.data["voided_at"] == "2026-11-23T10:00:00+00:00"
    assert case.version.data["voided_by"] == ctx.user_id

    # every column of the row travels but the derived place: nothing new is left behind
    columns = {r[1] for r in ctx.db.execute("PRAGMA table_info(cases)")}
    assert set(case.version.data) == columns - POLICY["cases"].derived


def test_a_case_closed_obtained_gives_the_document_on_an_attached_register(ctx):
    # write_documents was one INSERT ... ON CONFLICT DO UPDATE: the upsert's conflict
    # handling overrode the sync triggers' OR IGNORE, and the close failed on sync_dirty.
    from docassist.domain.model import DocumentKind, DocumentState, Outcome
    from docassist.services import cases
    from docassist.services.cases import StepPlan

    household = hh.register_household(
        ctx, hh.HouseholdInput("Petrović"), [hh.PersonInput("Ana", "Petrović", birth_date="1990")]
    )
    (ana,) = hh.get_household(ctx, household).members
    case_id = cases.open_case(
        ctx, ana.id, "id-card", 1, [StepPlan("gather", 7)], produces=DocumentKind.ID_CARD
    )
    cases.close_case(ctx, case_id, Outcome.OBTAINED)
    assert hh.get_person(ctx, ana.id).documents[DocumentKind.ID_CARD] == DocumentState.HAVE
    (document,) = [e for e in entries(ctx) if e.table == "documents"][-1:]
    assert document.row_key == f"{ana.id}/id_card"
    assert document.version.data["state"] == "have"
    assert document.version.data["obtained_on"] == "2026-11-23"
