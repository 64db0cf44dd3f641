"""Queries over a generated register agree with the plain, slow way of asking."""

from __future__ import annotations

from dataclasses import replace

import pytest

from docassist.services import cases, register_search
from docassist.services import households as hh
from docassist.services.context import Context
from docassist.services.demo import DemoChecklist, generate
from docassist.services.households import HouseholdSummary
from docassist.store.db import open_database

CHECKLISTS = [
    DemoChecklist("birth-registration", 1, None, (("gather", 7), ("apply", 15), ("collect", 5))),
    DemoChecklist("id-card", 1, None, (("photo", 3), ("apply", 15))),
]

# What find_households returned when it counted inside one SELECT per row.
REFERENCE = """
    SELECT h.id, h.family_name, h.settlement, h.municipality,
      (SELECT count(*) FROM persons p WHERE p.household_id = h.id AND p.deleted_at IS NULL),
      (SELECT count(*) FROM cases c WHERE c.household_id = h.id
         AND c.status IN ('open','blocked') AND c.deleted_at IS NULL),
      (SELECT count(*) FROM cases c WHERE c.household_id = h.id
         AND c.status = 'blocked' AND c.deleted_at IS NULL),
      (SELECT count(*) FROM cases c WHERE c.household_id = h.id
         AND c.status IN ('open','blocked') AND c.next_due < ? AND c.deleted_at IS NULL)
    FROM households h WHERE h.deleted_at IS NULL
    ORDER BY {order}, h.id
"""


@pytest.fixture
def demo(ctx):
    generate(ctx, households=120, seed=5, checklists=CHECKLISTS)
    return ctx


@pytest.mark.parametrize("script_name", ["latn", "cyrl"])
def test_pages_carry_the_same_counts_as_one_row_at_a_time(demo, script_name):
    order = "h.sort_cyrl" if script_name == "cyrl" else "h.sort_latn"
    expected = [
        HouseholdSummary(*r)
        for r in demo.db.execute(
            REFERENCE.format(order=order), [demo.today().isoformat()]
        ).fetchall()
    ]
    got = []
    for offset in range(0, len(expected) + 1, 50):
        got += hh.find_households(demo, script_name=script_name, offset=offset)
    # The counts as the reference has them; the names that tell namesakes apart, one
    # per member counted.
    assert [replace(s, given_names=(), address="") for s in got] == expected
    assert all(len(s.given_names) == s.members for s in got)
    assert hh.count_households(demo) == len(expected) == 120
    assert any(s.blocked_cases for s in got) and any(s.overdue_cases for s in got)


def test_demo_cases_come_in_every_status_with_their_history(demo):
    statuses = dict(demo.db.execute("SELECT status, count(*) FROM cases GROUP BY status"))
    assert set(statuses) == {"open", "blocked", "done", "closed"}
    assert demo.db.execute(
        "SELECT count(*) FROM cases WHERE status = 'blocked' AND blocked_reason IS NULL"
    ).fetchone() == (0,)
    blocked = demo.db.execute("SELECT id FROM cases WHERE status = 'blocked' LIMIT 1").fetchone()[0]
    timeline = cases.timeline(demo, blocked)
    assert timeline[-1].action == "open"  # oldest last
    assert timeline[0].action == "step" and timeline[0].after["status"] == "blocked"
    assert [e.at for e in timeline] == sorted((e.at for e in timeline), reverse=True)
    done = demo.db.execute("SELECT id FROM cases WHERE status = 'done' LIMIT 1").fetchone()[0]
    assert cases.timeline(demo, done)[0].action == "close"
    events = demo.db.execute(
        "SELECT kind FROM case_events WHERE case_id = ? ORDER BY at", [done]
    ).fetchall()
    assert events[0] == ("opened",) and events[-1] == ("closed",)


@pytest.mark.parametrize("query", ["ra", "Петровић", "dragan jov", "zzz"])
def test_a_search_pages_the_same_whether_it_walks_the_index_or_not(demo, monkeypatch, query):
    def pages(script_name):
        return [
            hh.find_households(demo, query, script_name=script_name, limit=7, offset=o)
            for o in (0, 7, 21)
        ]

    monkeypatch.setattr(register_search, "_WALK_ABOVE_MATCHES", 10**9)
    read_matches = pages("latn"), pages("cyrl")
    monkeypatch.setattr(register_search, "_WALK_ABOVE_MATCHES", -1)
    assert (pages("latn"), pages("cyrl")) == read_matches
    where = "rowid IN (SELECT rowid FROM households_fts WHERE households_fts MATCH ?)"
    fts = hh.fts_query(query)
    expected = demo.db.execute(f"SELECT count(*) FROM households WHERE {where}", [fts]).fetchone()
    assert hh.count_households(demo, query) == expected[0]


def test_a_search_count_follows_every_write(demo):
    # the count is remembered between find and count; any write forgets it
    before = hh.count_households(demo, "zzyzx")
    hh.register_household(demo, hh.HouseholdInput(family_name="Zzyzx"))
    assert hh.count_households(demo, "zzyzx") == before + 1
    path = demo.db.execute("PRAGMA database_list").fetchone()[2]
    other = Context(open_database(path))  # another window, another process
    hh.register_household(other, hh.HouseholdInput(family_name="Zzyzx"))
    other.db.close()
    assert hh.count_households(demo, "zzyzx") == before + 2
