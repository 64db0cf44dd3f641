"""Reads that expose personal data are audited: one entry each, with the user."""

from __future__ import annotations

import json
import sqlite3

from docassist.services import backups, reports
from docassist.services import households as hh
from docassist.services.households import HouseholdInput, PersonInput


def _entries(ctx, action):
    return list(ctx.db.query("SELECT * FROM audit_log WHERE action = ?", [action]))


def _household(ctx):
    return hh.register_household(
        ctx, HouseholdInput(family_name="Nikolić"), [PersonInput("Marko", "Nikolić")]
    )


def test_viewing_a_household_is_one_entry_with_the_user(ctx):
    hid = _household(ctx)
    detail = hh.view_household(ctx, hid)
    assert detail.household.id == hid
    [entry] = _entries(ctx, "view")
    assert (entry["user_id"], entry["entity"], entry["entity_id"]) == (
        ctx.user_id,
        "household",
        hid,
    )
    assert entry["before"] is None and entry["after"] is None  # nothing copied


def test_a_search_records_its_length_and_count_never_the_name(ctx):
    _household(ctx)
    hh.audit_search(ctx, "Nikol", 1, municipality="novi sad")
    [entry] = _entries(ctx, "search")
    assert entry["user_id"] == ctx.user_id
    assert json.loads(entry["after"]) == {
        "query_length": 5,
        "results": 1,
        "municipality": "novi sad",
    }
    assert "Nikol" not in entry["after"]


def test_a_report_records_period_and_municipality(ctx):
    period = reports.make_period(ctx.today(), "1.10.2026", "23.11.2026")
    reports.audit_report(ctx, period, "Novi Sad")
    [entry] = _entries(ctx, "report")
    assert entry["user_id"] == ctx.user_id
    assert json.loads(entry["after"]) == {
        "from": "2026-10-01",
        "to": "2026-11-23",
        "municipality": "Novi Sad",
    }


def test_a_backup_records_who_made_it(ctx, tmp_path):
    path = ctx.db.conn.execute("PRAGMA database_list").fetchone()[2]
    backups.make_backup(path, tmp_path / "copy.db", ctx.user_id)
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT user_id FROM audit_log WHERE action = 'backup'").fetchall()
    finally:
        conn.close()
    assert rows == [(ctx.user_id,)]
