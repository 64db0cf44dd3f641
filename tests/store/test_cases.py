"""The active-case rule in SQL says what domain.model.is_active_case says."""

from __future__ import annotations

import itertools
import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docassist.domain.model import ACTIVE_CASE_STATUSES, CaseStatus, Outcome, is_active_case
from docassist.store.cases import active_case_sql
from docassist.store.db import open_database

# Every status with every outcome, including the pairs the app never writes
# (open with an outcome, done without one): the rule must hold for those too.
EVERY_CASE = list(itertools.product(list(CaseStatus), [None, *Outcome]))


def _sql_says(rows: list[tuple[str, str | None]], alias: str | None) -> list[bool]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE cases (n INTEGER, status TEXT, outcome TEXT)")
    db.executemany("INSERT INTO cases VALUES (?, ?, ?)", [(n, *r) for n, r in enumerate(rows)])
    table = f"cases {alias}" if alias else "cases"
    found = db.execute(f"SELECT n, {active_case_sql(alias)} FROM {table} ORDER BY n").fetchall()
    db.close()
    return [bool(active) for _, active in found]


@pytest.mark.parametrize("alias", ["c", None])
def test_sql_and_python_agree_on_every_status_and_outcome(alias):
    rows = [(status.value, outcome.value if outcome else None) for status, outcome in EVERY_CASE]
    assert _sql_says(rows, alias) == [is_active_case(status) for status, _ in EVERY_CASE]


@given(st.lists(st.sampled_from(EVERY_CASE), max_size=20))
def test_sql_and_python_agree_on_any_register(cases):
    rows = [(s.value, o.value if o else None) for s, o in cases]
    assert _sql_says(rows, "c") == [is_active_case(s) for s, _ in cases]


def test_active_means_open_or_blocked_whatever_the_outcome():
    assert {s for s in CaseStatus if is_active_case(s)} == {CaseStatus.OPEN, CaseStatus.BLOCKED}
    assert set(ACTIVE_CASE_STATUSES) == {CaseStatus.OPEN, CaseStatus.BLOCKED}
    # Stored values (plain strings) are judged like the enum.
    assert is_active_case("blocked") and not is_active_case("done")


def test_the_fragment_is_the_where_of_the_active_partial_indexes(tmp_path):
    # SQLite uses a partial index only for a query holding its WHERE term as written.
    db = open_database(tmp_path / "r.db")
    indexes = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name LIKE 'cases_active%'"
    ).fetchall()
    db.close()
    assert len(indexes) == 2
    for (sql,) in indexes:
        assert sql.endswith(f"WHERE {active_case_sql(None)} AND deleted_at IS NULL")


def test_queries_with_the_fragment_use_the_partial_index(tmp_path):
    db = open_database(tmp_path / "r.db")
    plan = db.execute(
        "EXPLAIN QUERY PLAN SELECT count(*) FROM cases c "
        f"WHERE {active_case_sql()} AND c.deleted_at IS NULL AND c.next_due < '2026-01-01'"
    ).fetchall()
    db.close()
    assert any("cases_active" in row[-1] for row in plan), plan
