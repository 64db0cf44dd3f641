"""The audit trail as a hash chain: an edited, removed, forged or moved entry is
named by ``db check``; an untouched trail, and one after an erasure, checks clean."""

from __future__ import annotations

import re
import shutil
import sqlite3
import threading
from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from docassist.domain.model import Role
from docassist.services import erasure
from docassist.services import households as hh
from docassist.services.context import Context
from docassist.services.households import HouseholdInput, PersonInput
from docassist.services.users import create_user
from docassist.store import audit, migrations
from docassist.store.audit import ChainBreak, ChainHead, verify_chain
from docassist.store.db import check_database, check_register, open_database

TODAY = date(2026, 11, 23)


def _clock():
    """A clock a second further on each time it is read: every entry has its own time."""
    ticks = iter(range(3600))

    def now() -> str:
        n = next(ticks)
        return f"2026-11-23T09:{n // 60:02d}:{n % 60:02d}+00:00"

    return now


def _fill(path) -> None:
    """A register with a dozen entries, some with details and one erasure."""
    db = open_database(path)
    ctx = Context(db, today=lambda: TODAY, now=_clock())
    ctx.user_id = create_user(ctx, "Milica", Role.COORDINATOR).id
    hid = hh.register_household(
        ctx,
        HouseholdInput("Jovanović", municipality="Novi Sad"),
        [PersonInput("Zorica", "Nikolić", birth_date="1987"), PersonInput("Petar", "Jovanović")],
    )
    for n in range(4):
        hh.register_household(ctx, HouseholdInput(f"Family{n}", municipality="Šabac"))
    zorica = next(p for p in hh.get_household(ctx, hid).members if p.given_name == "Zorica")
    hh.update_person(ctx, zorica.id, PersonInput("Zorica", "Nikolić", notes="moved"))
    erasure.erase_person(ctx, zorica.id, "asked by the family")
    with ctx.use_case():
        ctx.audit("view", "household", hid)  # an entry without details
    hh.register_household(ctx, HouseholdInput("Petrović", municipality="Beograd"))
    db.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("audit") / "template.db"
    _fill(path)
    return path


@pytest.fixture
def register(template, tmp_path):
    path = tmp_path / "register.db"
    shutil.copy(template, path)
    return path


def _raw(path) -> sqlite3.Connection:
    """What an attacker with a SQLite tool does first: drop the triggers."""
    conn = sqlite3.connect(path, isolation_level=None)
    for name in ("audit_entries_no_update", "audit_entries_no_delete", "audit_details_no_delete"):
        conn.execute(f"DROP TRIGGER {name}")
    return conn


def _entries(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT e.id, e.at, e.action, d.entry_id IS NOT NULL FROM audit_entries e "
            "LEFT JOIN audit_details d ON d.entry_id = e.id ORDER BY e.id"
        ).fetchall()


def _break(path) -> ChainBreak:
    [finding] = check_database(path)
    assert isinstance(finding, ChainBreak), finding
    return finding


def test_an_untouched_trail_checks_clean_and_says_its_newest_entry(register):
    entries = _entries(register)
    assert len(entries) >= 10 and {"erase", "view"} <= {e[2] for e in entries}
    assert not all(e[3] for e in entries)
    result = check_register(register)
    assert result.findings == []
    assert isinstance(result.audit, ChainHead)
    newest = (result.audit.id, result.audit.at, result.audit.count)
    assert newest == (*entries[-1][:2], len(entries))
    assert len(result.audit.fingerprint) == 16


def test_triggers_refuse_to_change_or_delete_an_entry(register):
    db = open_database(register)
    try:
        for sql in (
            "UPDATE audit_entries SET action = 'nothing' WHERE id = 3",
            "DELETE FROM audit_entries WHERE id = 3",
            "DELETE FROM audit_details",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(sql)
        with pytest.raises(sqlite3.OperationalError, match="view"):
            db.execute("UPDATE audit_log SET action = 'nothing'")
    finally:
        db.close()
    assert check_database(register) == []


def test_an_edited_entry_is_named_with_its_id_and_time(register):
    entry_id, at, _action, _has = _entries(register)[4]
    conn = _raw(register)
    conn.execute("UPDATE audit_entries SET user_id = 'someone else' WHERE id = ?", [entry_id])
    conn.close()
    found = _break(register)
    assert found.entry_id == entry_id
    assert found.render() == (
        f"audit trail: entry {entry_id} of {at} was changed after it was written (its hash "
        "no longer matches); entries from there on cannot be trusted."
    )


def test_edited_details_are_named(register):
    entry_id, at, _action, _has = next(e for e in _entries(register) if e[3])
    conn = sqlite3.connect(register, isolation_level=None)  # no trigger to drop: erasure may
    conn.execute("UPDATE audit_details SET after = '{\"x\": 1}' WHERE entry_id = ?", [entry_id])
    conn.close()
    found = _break(register)
    assert found.entry_id == entry_id and f"entry {entry_id} of {at}" in found.render()
    assert "details" in found.render()


def test_an_entry_recomputed_after_its_edit_breaks_the_link_to_the_next(register):
    entries = _entries(register)
    entry_id = entries[3][0]
    conn = _raw(register)
    row = dict(
        zip(
            (*audit.CHAINED, "hash"),
            conn.execute(
                f"SELECT {', '.join(audit.CHAINED)}, hash FROM audit_entries WHERE id = ?",
                [entry_id],
            ).fetchone(),
            strict=True,
        )
    )
    row["action"] = "nothing to see"
    conn.execute(
        "UPDATE audit_entries SET action = ?, hash = ? WHERE id = ?",
        [row["action"], audit.entry_hash(row), entry_id],
    )
    conn.close()
    found = _break(register)
    assert found.entry_id == entries[4][0]
    assert f"between entry {entry_id} of {entries[3][1]} and entry {entries[4][0]}" in (
        found.render()
    )


def test_a_deleted_entry_is_named_by_its_neighbours(register):
    entries = _entries(register)
    conn = _raw(register)
    conn.execute("DELETE FROM audit_details WHERE entry_id = ?", [entries[5][0]])
    conn.execute("DELETE FROM audit_entries WHERE id = ?", [entries[5][0]])
    conn.close()
    found = _break(register)
    assert found.entry_id == entries[6][0]
    assert found.render() == (
        f"audit trail: the entries between entry {entries[4][0]} of {entries[4][1]} and "
        f"entry {entries[6][0]} of {entries[6][1]} were removed."
    )


def test_the_first_entries_deleted_are_found(register):
    entries = _entries(register)
    conn = _raw(register)
    conn.execute("DELETE FROM audit_details WHERE entry_id <= ?", [entries[1][0]])
    conn.execute("DELETE FROM audit_entries WHERE id <= ?", [entries[1][0]])
    conn.close()
    found = _break(register)
    assert found.entry_id == entries[2][0] and "does not start" in found.render()


def test_the_newest_entry_deleted_is_found_even_after_more_are_written(register):
    entries = _entries(register)
    conn = _raw(register)
    conn.execute("DELETE FROM audit_details WHERE entry_id = ?", [entries[-1][0]])
    conn.execute("DELETE FROM audit_entries WHERE id = ?", [entries[-1][0]])
    conn.close()
    found = _break(register)
    assert found.entry_id == entries[-2][0] and "were removed" in found.render()
    # the next use case numbers on from SQLite's counter, so the hole stays a hole
    db = open_database(register)
    hh.register_household(Context(db, now=_clock()), HouseholdInput("Novi"))
    db.close()
    found = _break(register)
    assert found.entry_id == entries[-1][0] + 1
    assert f"between entry {entries[-2][0]} of {entries[-2][1]}" in found.render()


def test_a_forged_entry_is_named(register):
    entries = _entries(register)
    newest = entries[-1][0]
    conn = _raw(register)
    conn.execute(
        "INSERT INTO audit_entries (id, at, user_id, device_id, action, entity, entity_id, "
        "prev_hash, hash) SELECT ?, '2026-11-24T08:00:00+00:00', NULL, device_id, 'export', "
        "'register', 'all', hash, hash FROM audit_entries WHERE id = ?",
        [newest + 1, newest],
    )
    conn.close()
    found = _break(register)
    assert found.entry_id == newest + 1 and "2026-11-24T08:00:00+00:00" in found.render()


def test_an_entry_slipped_in_between_is_found_where_the_chain_no_longer_fits(register):
    # The forger knows the rule and hashes the new entry right, as entry k after k-1;
    # the entries from k on are moved up one id (out of the way first: ids and
    # predecessors are unique) and re-linked, and the first of them no longer fits.
    entries = _entries(register)
    k = entries[6][0]
    conn = _raw(register)
    conn.execute("UPDATE audit_entries SET id = id + 1000 WHERE id >= ?", [k])
    prev_hash = conn.execute("SELECT hash FROM audit_entries WHERE id = ?", [k - 1]).fetchone()[0]
    conn.execute("UPDATE audit_entries SET prev_hash = 'x' || prev_hash WHERE id = ?", [k + 1000])
    forged = {
        "id": k,
        "at": entries[6][1],
        "user_id": None,
        "device_id": "d",
        "action": "print",
        "entity": "household",
        "entity_id": "h",
        "details_sha256": None,
        "redacts": None,
        "prev_hash": prev_hash,
    }
    conn.execute(
        f"INSERT INTO audit_entries ({', '.join(audit.CHAINED)}, hash) VALUES "
        f"({', '.join('?' * (len(audit.CHAINED) + 1))})",
        [*forged.values(), audit.entry_hash(forged)],
    )
    conn.execute("UPDATE audit_entries SET id = id - 999 WHERE id > 1000")
    # and the entry after it now follows the forged one (a fork is refused)
    conn.execute(
        "UPDATE audit_entries SET prev_hash = ? WHERE id = ?", [audit.entry_hash(forged), k + 1]
    )
    conn.close()
    found = _break(register)
    assert found.entry_id == k + 1


def test_two_entries_swapped_are_found(register):
    entries = _entries(register)
    a, b = entries[2][0], entries[3][0]
    conn = _raw(register)
    conn.execute("UPDATE audit_entries SET id = -1 WHERE id = ?", [a])
    conn.execute("UPDATE audit_entries SET id = ? WHERE id = ?", [a, b])
    conn.execute("UPDATE audit_entries SET id = ? WHERE id = -1", [b])
    conn.close()
    assert _break(register).entry_id == a


def test_a_fork_is_refused_by_the_database(register):
    conn = sqlite3.connect(register, isolation_level=None)
    with pytest.raises(sqlite3.IntegrityError, match="prev_hash"):
        conn.execute(
            "INSERT INTO audit_entries (id, at, device_id, action, entity, entity_id, "
            "prev_hash, hash) SELECT 9999, at, device_id, action, entity, entity_id, "
            "prev_hash, hash FROM audit_entries WHERE id = 5"
        )
    conn.close()


def test_the_erase_entry_lists_what_it_rewrote_and_the_chain_still_verifies(register):
    with sqlite3.connect(register) as conn:
        [(redacts,)] = conn.execute(
            "SELECT redacts FROM audit_entries WHERE action = 'erase'"
        ).fetchall()
    assert redacts and '"' in redacts
    assert check_database(register) == []


SQL_COLUMNS = [c for c in audit.CHAINED if c != "id"] + ["hash"]
DETAIL_COLUMNS = ["salt", "before", "after"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_single_edit_of_an_entry_is_named(template, tmp_path_factory, data):
    path = tmp_path_factory.mktemp("edit") / "register.db"
    shutil.copy(template, path)
    entries = _entries(path)
    entry_id, _at, _action, has_details = data.draw(st.sampled_from(entries))
    columns = SQL_COLUMNS + (DETAIL_COLUMNS if has_details else [])
    column = data.draw(st.sampled_from(columns))
    table, key = (
        ("audit_details", "entry_id") if column in DETAIL_COLUMNS else ("audit_entries", "id")
    )
    conn = _raw(path)
    old = conn.execute(f"SELECT {column} FROM {table} WHERE {key} = ?", [entry_id]).fetchone()[0]
    new = data.draw(st.none() | st.text(max_size=20) | st.integers(-(2**63), 2**63 - 1))
    assume(new != old)
    try:
        conn.execute(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", [new, entry_id])
    except sqlite3.IntegrityError:
        assume(False)  # NOT NULL or UNIQUE refused the edit: nothing changed
    finally:
        conn.close()
    assert _break(path).entry_id == entry_id


def test_two_connections_appending_at_once_do_not_fork_the_chain(tmp_path):
    path = tmp_path / "register.db"
    open_database(path).close()
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def write(name: str) -> None:
        db = open_database(path)
        try:
            ctx = Context(db)
            start.wait()
            for n in range(25):
                hh.register_household(ctx, HouseholdInput(f"{name}{n}"))
        except BaseException as err:  # reported below, in the test's thread
            errors.append(err)
        finally:
            db.close()

    threads = [threading.Thread(target=write, args=(name,)) for name in ("Ana", "Bojan")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = check_register(path)
    assert result.findings == []
    assert result.audit is not None and result.audit.count == 50


def test_migration_chains_the_entries_a_register_already_has(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    db = Database(conn)
    migrations.apply(db, stop_before="0007_audit_chain")
    rows = [
        (f"2025-01-0{n}T10:00:00+00:00", f"u{n}", "dev", "update", "person", f"p{n}", "{}", "{}")
        for n in range(1, 6)
    ] + [("2025-01-06T10:00:00+00:00", None, "dev", "search", "register", "x", None, None)]
    conn.executemany(
        "INSERT INTO audit_log (at, user_id, device_id, action, entity, entity_id, before, "
        "after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.close()

    db = open_database(path)
    old = db.execute("SELECT id, at, user_id, before, after FROM audit_log ORDER BY id").fetchall()
    db.close()
    assert old == [(n + 1, r[0], r[1], r[6], r[7]) for n, r in enumerate(rows)]
    result = check_register(path)
    assert result.findings == [] and result.audit is not None and result.audit.count == 6
    with sqlite3.connect(path) as raw:
        first = raw.execute("SELECT prev_hash FROM audit_entries WHERE id = 1").fetchone()[0]
    assert first == audit.GENESIS


def test_a_register_from_before_the_chain_has_nothing_to_verify(tmp_path):
    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    db = Database(conn)
    migrations.apply(db, stop_before="0007_audit_chain")
    assert verify_chain(conn) is None
    conn.close()


def test_db_check_names_the_entry_calmly(register, capsys):
    from docassist.cli import main

    entry_id = _entries(register)[2][0]
    conn = _raw(register)
    conn.execute("UPDATE audit_entries SET at = '2020-01-01T00:00:00' WHERE id = ?", [entry_id])
    conn.close()
    assert main(["--db", str(register), "db", "check"]) == 1
    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert line.startswith(f"{register}: audit trail: entry {entry_id} of 2020-01-01T00:00:00 ")
    assert "Traceback" not in captured.err and captured.out == ""


def test_the_trail_has_one_writer():
    # Every entry must be chained: code that wrote the tables itself would fork or
    # break the chain, so store/audit.py is the only place that may.
    from pathlib import Path

    import docassist

    root = Path(docassist.__file__).parent
    writers = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if re.search(r"(INSERT|REPLACE) INTO audit_|UPDATE audit_", p.read_text(), re.I)
    )
    assert writers == ["store/audit.py"]
