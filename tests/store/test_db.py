"""The database file: schema, pragmas, refusing what we cannot safely open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from docassist.store import db as db_module
from docassist.store import migrations
from docassist.store.database import Database as Register
from docassist.store.db import (
    DamagedDatabaseError,
    EmptyDatabaseError,
    NewerDatabaseError,
    ReadOnlyDatabaseError,
    StoreError,
    check_database,
    device_id,
    open_database,
    schema_version,
)
from docassist.store.migrations import KNOWN

TABLES = {
    "meta",
    "users",
    "households",
    "persons",
    "documents",
    "cases",
    "case_steps",
    "case_events",
    "workshops",
    "attendance",
    "audit_entries",
    "audit_details",
}
SYNC_COLUMNS = {"updated_at", "device_id"}


def test_blank_database_gets_the_whole_schema(tmp_path):
    db = open_database(tmp_path / "r.db")
    names = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert {name for (name,) in names} >= TABLES
    assert schema_version(db) == KNOWN
    views = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert "audit_log" in views  # the trail as it reads, over the chain
    for table in TABLES - {"meta", "audit_entries", "audit_details", "case_events"}:
        columns = _columns(db, table)
        assert columns >= SYNC_COLUMNS, table
        assert "deleted_at" in columns, table
        assert db.table(table).primary_keys() == ["id"], table
    assert _columns(db, "case_events") >= {"case_id", "at", "device_id"}
    db.close()


def _columns(db: Register, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


def test_pragmas_laptops_rely_on(tmp_path):
    db = open_database(tmp_path / "r.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    db.close()


def test_reopening_is_idempotent_and_keeps_the_device(tmp_path):
    db = open_database(tmp_path / "r.db")
    first = device_id(db)
    db.close()
    db = open_database(tmp_path / "r.db")
    assert device_id(db) == first
    assert schema_version(db) == KNOWN
    db.close()


def test_writes_outside_a_transaction_are_never_left_pending(tmp_path):
    db = open_database(tmp_path / "r.db")
    db.execute("INSERT INTO meta(key, value) VALUES ('x', '1')")
    assert not db.conn.in_transaction
    db.close()
    db = open_database(tmp_path / "r.db")
    assert db.execute("SELECT value FROM meta WHERE key = 'x'").fetchone() == ("1",)
    db.close()


def test_a_failed_use_case_leaves_nothing_behind(tmp_path):
    db = open_database(tmp_path / "r.db")
    with pytest.raises(RuntimeError), db.atomic():
        db.execute("INSERT INTO meta(key, value) VALUES ('y', '1')")
        raise RuntimeError("boom")
    assert db.execute("SELECT count(*) FROM meta WHERE key = 'y'").fetchone()[0] == 0
    db.close()


def test_refuses_a_database_from_a_newer_docassist(tmp_path):
    path = tmp_path / "r.db"
    db = open_database(path)
    db.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at) "
        "VALUES ('docassist', '9999_future', '2030-01-01')"
    )
    db.close()
    with pytest.raises(NewerDatabaseError) as err:
        open_database(path)
    assert "newer version" in str(err.value)


def test_not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("a spreadsheet, perhaps")
    with pytest.raises(DamagedDatabaseError) as err:
        open_database(path)
    assert "not a docassist database" in str(err.value)


def _older_register(path: Path, stop_before: str) -> Register:
    """A register as an older docassist left it: migrated up to ``stop_before``."""
    old = Register(sqlite3.connect(path, isolation_level=None))
    migrations.apply(old, stop_before=stop_before)
    return old


def _damaged(path, pages=range(3, 12)):
    """A register with some pages overwritten (by default some of the schema's)."""
    db = open_database(path)
    db.execute("CREATE TABLE filler(x)")
    with db.atomic():
        for i in range(2000):
            db.execute("INSERT INTO filler VALUES (?)", [f"row {i} " * 20])
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    raw = bytearray(path.read_bytes())
    for page in pages:
        start = (page % (len(raw) // 4096)) * 4096  # negative: from the end
        raw[start : start + 4096] = b"\xff" * 4096
    path.write_bytes(bytes(raw))
    return path


def test_damaged_database_is_reported_not_raised_raw(tmp_path):
    path = _damaged(tmp_path / "r.db")
    assert path.stat().st_size <= db_module.QUICK_CHECK_MAX_BYTES  # a small file: checked
    with pytest.raises(DamagedDatabaseError) as err:
        open_database(path)
    assert "damaged" in str(err.value)


def test_a_large_file_opens_without_reading_every_page(tmp_path, monkeypatch):
    # Above the threshold, opening skips quick_check (seconds on a large
    # register); the damage is then found by `docassist db check`.
    # only the filler rows at the end of the file: nothing that opening reads
    path = _damaged(tmp_path / "r.db", pages=range(-12, -3))
    monkeypatch.setattr(db_module, "QUICK_CHECK_MAX_BYTES", path.stat().st_size - 1)
    open_database(path).close()
    with pytest.raises(DamagedDatabaseError):
        open_database(path, quick_check=True)
    assert check_database(path) != []


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(StoreError):
        open_database(tmp_path)


def test_check_database_healthy(tmp_path):
    path = tmp_path / "r.db"
    open_database(path).close()
    assert check_database(path) == []


def test_check_missing_database(tmp_path):
    with pytest.raises(StoreError):
        check_database(tmp_path / "missing.db")


def test_foreign_keys_are_enforced(tmp_path):
    db = open_database(tmp_path / "r.db")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO persons(id, household_id, given_name, family_name, name_key, "
            "created_at, updated_at, device_id) VALUES ('p', 'nope', 'A', 'B', 'a b', "
            "'t', 't', 'd')"
        )
    db.close()


def test_migrating_a_register_with_cases_copies_their_place(tmp_path):
    # A register written before 0003: its cases learn their household's place,
    # and later changes to the household follow them (dashboard counts read it).
    path = tmp_path / "old.db"
    old = _older_register(path, stop_before="0003_fast_lists_and_dashboard")
    stamp = {"updated_at": "t", "device_id": "d"}
    old.table("households").insert(
        {"id": "h", "family_name": "Ramić", "municipality": "Niš", "settlement": "Crvena zvezda"}
        | {"created_at": "t"}
        | stamp
    )
    old.table("persons").insert(
        {"id": "p", "household_id": "h", "given_name": "Sabit", "family_name": "Ramić"}
        | {"name_key": "sabit ramic", "created_at": "t"}
        | stamp
    )
    case = {"person_id": "p", "household_id": "h", "checklist_id": "id-card"}
    case |= {"checklist_version": 1, "status": "open", "opened_at": "t"} | stamp
    old.table("cases").insert({"id": "c1", **case})
    old.close()

    db = open_database(path)
    assert schema_version(db) == KNOWN
    place = "SELECT municipality, settlement FROM cases WHERE id = ?"
    assert db.execute(place, ["c1"]).fetchone() == ("Niš", "Crvena zvezda")
    db.execute(
        "INSERT INTO cases(id, person_id, household_id, checklist_id, checklist_version, "
        "status, opened_at, updated_at, device_id) "
        "VALUES ('c2', 'p', 'h', 'birth', 1, 'open', 't', 't', 'd')"
    )
    assert db.execute(place, ["c2"]).fetchone() == ("Niš", "Crvena zvezda")
    db.execute("UPDATE households SET municipality = 'Leskovac', settlement = 'Podvorce'")
    assert {db.execute(place, [c]).fetchone() for c in ("c1", "c2")} == {("Leskovac", "Podvorce")}
    db.close()


def test_whole_household_attendance_is_kept_once(tmp_path):
    # Two whole-household rows for one workshop (NULL person ids pass the old
    # UNIQUE key) merge into one on migration, keeping the live row, and a third
    # can no longer be written.
    path = tmp_path / "old.db"
    old = _older_register(path, stop_before="0005_whole_household_attendance_once")
    stamp = {"updated_at": "t", "device_id": "d"}
    old.table("households").insert({"id": "h", "family_name": "Ramić", "created_at": "t"} | stamp)
    old.table("workshops").insert(
        {"id": "w", "held_on": "2026-11-01", "place": "Niš", "created_at": "t"} | stamp
    )
    row = {"workshop_id": "w", "household_id": "h", "person_id": None} | stamp
    old.table("attendance").insert({"id": "a1", **row, "deleted_at": "t"})
    old.table("attendance").insert({"id": "a2", **row})
    old.table("attendance").insert({"id": "a3", **row})
    old.close()

    db = open_database(path)
    assert schema_version(db) == KNOWN
    assert db.execute("SELECT id, deleted_at FROM attendance").fetchall() == [("a2", None)]
    with pytest.raises(sqlite3.IntegrityError):
        db.table("attendance").insert({"id": "a4", **row})
    db.close()


def test_migrating_recomputes_the_search_and_sort_keys(tmp_path):
    # Keys written before 0009 folded ʒ to z, kept Ð as an unknown letter (sorted
    # after Ž) and dropped Greek letters: after the migration the same names are
    # found and sorted the new way, and nothing else about the rows changes.
    from sqlite_utils import Database

    from docassist.store import migrations

    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="0009_search_keys_read_more_spellings")
    stamp = {"updated_at": "t", "device_id": "d", "created_at": "t"}
    old_keys = {"search_text": "rezepovic sabit rezepovic", "sort_latn": "~", "sort_cyrl": "~"}
    old["households"].insert({"id": "h", "family_name": "Reʒepović"} | old_keys | stamp)
    old["households"].insert({"id": "g", "family_name": "Ðurić"} | old_keys | stamp)
    old["persons"].insert(
        {"id": "p", "household_id": "h", "given_name": "Πέτρος", "family_name": "Reʒepović"}
        | {"name_key": "rezepovic", "jmbg": "0101987710001"}
        | stamp
    )
    old.close()

    db = open_database(path)
    assert schema_version(db) == KNOWN
    assert db.execute("SELECT name_key FROM persons").fetchone() == ("petros redzepovic",)
    found = db.execute(
        "SELECT h.id, h.search_text, h.updated_at FROM households h JOIN households_fts f "
        "ON f.rowid = h.rowid WHERE households_fts MATCH 'redzepovic'"
    ).fetchall()
    assert found == [("h", "redzepovic petros redzepovic 0101987710001", "t")]
    assert db.execute("SELECT id FROM households ORDER BY sort_latn").fetchall() == [("g",), ("h",)]
    # Đ comes before R in both alphabets; Ð (the eth) now sorts as Đ.
    assert db.execute("SELECT id FROM households ORDER BY sort_cyrl").fetchall() == [("g",), ("h",)]
    db.close()


# --- a register that cannot be written ------------------------------------------------


def test_a_read_only_file_is_refused_when_opened(tmp_path, refuse_writes):
    path = tmp_path / "r.db"
    open_database(path).close()
    refuse_writes(path)
    with pytest.raises(ReadOnlyDatabaseError) as err:
        open_database(path)
    assert "cannot be written" in str(err.value) and str(path) in str(err.value)


def test_a_read_only_folder_is_refused_not_called_damaged(tmp_path, refuse_writes):
    # WAL writes two files beside the register: a folder that cannot be written
    # makes every read fail, which looked like damage ("restore from a backup").
    path = tmp_path / "r.db"
    open_database(path).close()
    refuse_writes(tmp_path)
    with pytest.raises(ReadOnlyDatabaseError) as err:
        open_database(path)
    assert "damaged" not in str(err.value)
    (tmp_path / "new").mkdir()
    refuse_writes(tmp_path / "new")
    with pytest.raises(ReadOnlyDatabaseError):
        open_database(tmp_path / "new" / "r.db")


def test_sqlite_refusing_to_write_is_read_only_not_damage(tmp_path, monkeypatch):
    # os.access can say yes where SQLite still cannot write (a read-only mount,
    # -wal and -shm files of another user): its own refusal is recognised too.
    path = tmp_path / "old.db"
    notes = sqlite3.connect(path)  # no migrations yet: opening must write
    with notes:
        notes.execute("CREATE TABLE notes (x)")
    notes.close()
    real_connect = db_module._connect

    def read_only_connect(p):
        conn = sqlite3.connect(f"{Path(p).resolve().as_uri()}?mode=ro", uri=True)
        conn.isolation_level = None
        return Register(conn)

    monkeypatch.setattr(db_module, "_connect", read_only_connect)
    with pytest.raises(ReadOnlyDatabaseError):
        open_database(path)
    monkeypatch.setattr(db_module, "_connect", real_connect)
    open_database(path).close()


# --- damage found after opening -----------------------------------------------------


def test_damage_met_after_opening_is_explained_like_damage_found_when_opening(
    tmp_path, monkeypatch
):
    from docassist.store.db import explain_database_error
    from tests.damage import damage_table

    path = tmp_path / "r.db"
    db = open_database(path)
    db.execute("INSERT INTO meta(key, value) VALUES ('k', 'v')")
    db.close()
    damage_table(path, "households")
    monkeypatch.setattr(db_module, "QUICK_CHECK_MAX_BYTES", 0)  # as for a large register
    db = open_database(path)
    with pytest.raises(sqlite3.DatabaseError) as raised:
        db.execute("SELECT * FROM households").fetchall()
    db.close()
    err = explain_database_error(raised.value, path)
    assert isinstance(err, DamagedDatabaseError)
    assert str(path) in str(err) and "docassist db check" in str(err)
    with pytest.raises(DamagedDatabaseError) as at_open:
        open_database(path, quick_check=True)
    assert at_open.value.msgid == err.msgid  # one message, wherever the damage is met
    # a failure that is not the file's fault stays a failure of the program
    assert explain_database_error(sqlite3.OperationalError("no such table: x"), path) is None
    assert explain_database_error(RuntimeError("boom"), path) is None


# --- `docassist db check` only reads ---------------------------------------------------


def _files(folder):
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_check_reads_an_old_register_without_changing_it(tmp_path):
    # The check must look at the file as it is: no WAL switch, no migrations, no
    # device id; it may be the only copy of a register someone brought in.
    path = tmp_path / "old.db"
    _older_register(path, stop_before="0003_fast_lists_and_dashboard").close()
    before = _files(tmp_path)
    assert check_database(path) == []
    assert _files(tmp_path) == before
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("SELECT count(*) FROM meta WHERE key = 'device_id'").fetchone() == (0,)
    conn.close()


def test_check_leaves_a_register_exactly_as_it_was(tmp_path):
    path = tmp_path / "r.db"
    open_database(path).close()
    before = _files(tmp_path)
    assert check_database(path) == []
    assert _files(tmp_path)[path.name] == before[path.name]


def test_check_reads_a_register_it_may_not_write(tmp_path, refuse_writes):
    path = tmp_path / "r.db"
    open_database(path).close()
    refuse_writes(path, tmp_path)
    assert check_database(path) == []


def test_an_empty_file_holds_no_register(tmp_path):
    # A 0-byte file where a register should be is a lost copy, not a new register:
    # opening it used to make it an empty register without a word.
    path = tmp_path / "r.db"
    path.write_bytes(b"")
    with pytest.raises(EmptyDatabaseError) as err:
        check_database(path)
    assert "is empty" in str(err.value) and str(path) in str(err.value)
    with pytest.raises(EmptyDatabaseError):
        open_database(path)
    assert path.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.db"]
    # a file that does not exist yet is still a new register
    open_database(tmp_path / "new.db").close()


def test_check_reads_a_register_in_use_with_what_its_wal_holds(tmp_path):
    # The app may have it open: what is saved sits in the -wal file until a
    # checkpoint, and the check reads it there, through SQLite's locks.
    path = tmp_path / "r.db"
    db = open_database(path)
    db.execute("CREATE TABLE parent(id INTEGER PRIMARY KEY)")
    db.execute("CREATE TABLE child(parent_id REFERENCES parent(id))")
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute("INSERT INTO child VALUES (7)")  # in the -wal only
    try:
        assert (tmp_path / "r.db-wal").stat().st_size > 0
        main_file = path.read_bytes()
        assert check_database(path) == ["foreign key: child row 1 -> parent"]
        assert path.read_bytes() == main_file
    finally:
        db.close()


# --- not damage: a full disk; damage: text that is not UTF-8 (issue 14 §11) --------------


def _full_disk_error(tmp_path) -> sqlite3.OperationalError:
    # max_page_count makes SQLite answer exactly as it does when the disk is full.
    conn = sqlite3.connect(str(tmp_path / "small.db"))
    conn.execute("CREATE TABLE t(x)")
    conn.execute("PRAGMA max_page_count = 2")
    with pytest.raises(sqlite3.OperationalError) as raised:
        conn.execute("INSERT INTO t VALUES (zeroblob(100000))")
    conn.close()
    return raised.value


def test_a_full_disk_is_said_full_never_damaged(tmp_path, monkeypatch):
    from docassist.store.db import DiskFullError, explain_database_error

    full = _full_disk_error(tmp_path)
    path = tmp_path / "r.db"
    known = explain_database_error(full, path)
    assert isinstance(known, DiskFullError)
    text = known.render()
    assert str(path) in text and "full" in text and "not damaged" in text
    assert "then restore it from a backup" not in text  # the damage advice

    open_database(path).close()

    def no_room(db):
        raise full

    monkeypatch.setattr(db_module, "_ensure_device_id", no_room)
    with pytest.raises(DiskFullError):
        open_database(path)


def test_text_that_is_not_utf8_is_damage_not_an_internal_error(tmp_path):
    from docassist.store.db import explain_database_error

    path = tmp_path / "r.db"
    db = open_database(path)
    db.execute("CREATE TABLE t(name TEXT)")
    db.execute("INSERT INTO t VALUES (CAST(x'ff41' AS TEXT))")
    with pytest.raises(sqlite3.OperationalError) as raised:
        db.execute("SELECT name FROM t").fetchall()
    db.close()
    known = explain_database_error(raised.value, path)
    assert isinstance(known, DamagedDatabaseError)
    assert str(path) in str(known) and "docassist db check" in str(known)
