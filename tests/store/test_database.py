"""store.database does what sqlite-utils' Database did for the calls docassist makes.

The services write through ``db.table(name).insert/update``, read through
``db.query`` and group writes in ``db.atomic()``; these used to be sqlite-utils'.
Each test runs the same calls through both on two copies of one register and
compares what ends up in the file and what comes back.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from decimal import Decimal

import pytest
import sqlite_utils
from hypothesis import given
from hypothesis import strategies as st

from docassist.store.database import Database, RowNotFoundError, dedupe_keys

SCHEMA = """
CREATE TABLE people (id TEXT PRIMARY KEY, name TEXT, born TEXT, notes TEXT, score REAL);
CREATE TABLE pairs (a TEXT, b TEXT, value TEXT, PRIMARY KEY (a, b));
CREATE TABLE log (what TEXT);
"""


def _pair(tmp_path):
    """The same fresh register, once through ours and once through sqlite-utils."""
    made = []
    for name in ("ours.db", "theirs.db"):
        conn = sqlite3.connect(tmp_path / name, isolation_level=None)
        conn.executescript(SCHEMA)
        made.append(conn)
    return Database(made[0]), sqlite_utils.Database(made[1], execute_plugins=False)


def _dump(conn: sqlite3.Connection) -> list:
    return [
        (table, conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall())
        for table in ("people", "pairs", "log")
    ]


ROWS = [
    {"id": "a", "name": "Ramić", "born": dt.date(1987, 5, 12), "notes": None, "score": 1.5},
    {"id": "b", "name": "Đurić", "born": None, "notes": {"k": ["x", 1]}, "score": Decimal("2.25")},
    {"id": "c", "name": "Š", "born": dt.datetime(2025, 3, 4, 14, 5), "notes": [1, "č"]},
    {"id": "d", "name": str(uuid.UUID(int=7)), "notes": (1, 2), "score": None},
]


def test_inserts_and_updates_leave_the_same_rows(tmp_path):
    ours, theirs = _pair(tmp_path)
    for db in (ours, theirs):
        for row in ROWS:
            db.table("people").insert(row)
        db.table("pairs").insert({"a": "x", "b": "y", "value": "1"})
        db.table("people").update("a", {"name": "Ramić Sabit", "born": dt.date(1988, 1, 2)})
        db.table("people").update("b", {"notes": {"changed": True}})
        db.table("people").update("c", {})
        db.table("pairs").update(("x", "y"), {"value": "2"})
    assert _dump(ours.conn) == _dump(theirs.conn)


def test_updating_a_row_that_is_not_there_changes_nothing(tmp_path):
    ours, theirs = _pair(tmp_path)
    ours.table("people").insert(ROWS[0])
    theirs.table("people").insert(ROWS[0])
    with pytest.raises(RowNotFoundError):
        ours.table("people").update("nobody", {"name": "x"})
    with pytest.raises(sqlite_utils.db.NotFoundError):
        theirs.table("people").update("nobody", {"name": "x"})
    with pytest.raises(RowNotFoundError):
        ours.table("pairs").update("x", {"value": "x"})  # half a key
    assert _dump(ours.conn) == _dump(theirs.conn)


def test_a_failed_insert_raises_as_before_and_leaves_no_transaction(tmp_path):
    ours, theirs = _pair(tmp_path)
    for db in (ours, theirs):
        db.table("people").insert(ROWS[0])
        with pytest.raises(sqlite3.IntegrityError):
            db.table("people").insert(ROWS[0])
        with pytest.raises(sqlite3.OperationalError, match="no column named"):
            db.table("people").insert({"id": "z", "nope": 1})
        assert not db.conn.in_transaction
    assert _dump(ours.conn) == _dump(theirs.conn)


def test_queries_return_the_same_dicts(tmp_path):
    ours, theirs = _pair(tmp_path)
    for db in (ours, theirs):
        for row in ROWS:
            db.table("people").insert(row)
    for sql, params in [
        ("SELECT * FROM people ORDER BY id", None),
        ("SELECT * FROM people WHERE id = ?", ["b"]),
        ("SELECT name, name, name AS name_2, id FROM people WHERE id = :id", {"id": "a"}),
        ("SELECT p.id, q.id FROM people p JOIN people q ON q.id > p.id", None),
        ("SELECT * FROM people WHERE id = 'nobody'", None),
        ("PRAGMA table_info(people)", None),
    ]:
        assert list(ours.query(sql, params)) == list(theirs.query(sql, params)), sql


def test_atomic_commits_together_or_not_at_all_and_nests(tmp_path):
    ours, theirs = _pair(tmp_path)
    for db in (ours, theirs):
        with db.atomic():
            db.execute("INSERT INTO log VALUES ('one')")
            with db.atomic():
                db.execute("INSERT INTO log VALUES ('two')")
            with pytest.raises(ZeroDivisionError), db.atomic():
                db.execute("INSERT INTO log VALUES ('undone inner')")
                raise ZeroDivisionError
        with pytest.raises(ZeroDivisionError), db.atomic():
            db.execute("INSERT INTO log VALUES ('undone outer')")
            raise ZeroDivisionError
        assert not db.conn.in_transaction
        db.execute("INSERT INTO log VALUES ('after')")  # committed at once
    assert _dump(ours.conn) == _dump(theirs.conn)
    assert [r[0] for r in ours.conn.execute("SELECT what FROM log")] == ["one", "two", "after"]


def test_a_trigger_that_rolls_back_everything_surfaces_its_own_error(tmp_path):
    ours, theirs = _pair(tmp_path)
    for db in (ours, theirs):
        db.execute(
            "CREATE TRIGGER no_bad BEFORE INSERT ON log WHEN NEW.what = 'bad' "
            "BEGIN SELECT RAISE(ROLLBACK, 'refused'); END"
        )
        with pytest.raises(sqlite3.IntegrityError, match="refused"), db.atomic():
            db.execute("INSERT INTO log VALUES ('kept?')")
            with db.atomic():
                db.execute("INSERT INTO log VALUES ('bad')")
        assert not db.conn.in_transaction
    assert _dump(ours.conn) == _dump(theirs.conn) == [("people", []), ("pairs", []), ("log", [])]


def test_recursive_triggers_are_on_as_before(tmp_path):
    ours, theirs = _pair(tmp_path)
    assert ours.execute("PRAGMA recursive_triggers").fetchone() == (1,)
    assert theirs.execute("PRAGMA recursive_triggers").fetchone() == (1,)


@given(st.lists(st.sampled_from(["id", "name", "id_2", "x", "name_2", "name_3"]), max_size=8))
def test_duplicate_column_names_are_renamed_as_sqlite_utils_renames_them(names):
    assert dedupe_keys(names) == sqlite_utils.utils.dedupe_keys(names)
