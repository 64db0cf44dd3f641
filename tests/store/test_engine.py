"""The two SQLite libraries: which one opens a file, their errors, their pitfalls."""

from __future__ import annotations

import ast
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlcipher3
from sqlite_utils import Database

from docassist.services import households as hh
from docassist.services.context import Context
from docassist.store import engine
from docassist.store.db import (
    BusyDatabaseError,
    DamagedDatabaseError,
    EncryptedDatabaseError,
    NotEncryptedError,
    StoreError,
    WrongKeyError,
    explain_database_error,
    keyring_path,
    open_database,
)

KEY = bytes(range(32))
SRC = Path(__file__).resolve().parents[2] / "src" / "docassist"


@pytest.fixture
def encrypted(tmp_path) -> Path:
    path = tmp_path / "secret.db"
    open_database(path, key=KEY).close()
    return path


def test_the_header_tells_the_kind_before_any_library_opens_it(tmp_path, encrypted):
    plain = tmp_path / "plain.db"
    open_database(plain).close()
    (tmp_path / "empty.db").touch()
    assert engine.header(tmp_path / "none.db") is engine.Header.MISSING
    assert engine.header(tmp_path / "empty.db") is engine.Header.EMPTY
    assert engine.header(plain) is engine.Header.PLAINTEXT
    assert engine.header(encrypted) is engine.Header.OTHER


def test_an_encrypted_register_does_not_start_like_sqlite(encrypted):
    first = encrypted.read_bytes()[:16]
    assert first != b"SQLite format 3\x00"
    assert first != bytes(16)  # SQLCipher's random salt, not zeros


def test_a_key_that_does_not_fit_is_said_for_what_it_is(tmp_path, encrypted):
    plain = tmp_path / "plain.db"
    open_database(plain).close()
    before = plain.read_bytes()
    with pytest.raises(WrongKeyError) as wrong:
        open_database(encrypted, key=bytes(32))
    with pytest.raises(NotEncryptedError):
        open_database(plain, key=KEY)
    assert plain.read_bytes() == before  # opened by no library, changed by nothing
    # Without the key file beside it, an encrypted register is random bytes like any
    # other file; with it, docassist knows it is encrypted.
    with pytest.raises(DamagedDatabaseError):
        open_database(encrypted)
    keyring_path(encrypted).write_text("{}")
    with pytest.raises(EncryptedDatabaseError) as no_key:
        open_database(encrypted)
    for err in (wrong.value, no_key.value):
        assert isinstance(err, StoreError)
        assert str(encrypted) in err.render()
    open_database(encrypted, key=KEY).close()  # and the right key still opens it


_WRONG_KEY_CHILD = """
import sys
from docassist.store.db import WrongKeyError, open_database
try:
    open_database(sys.argv[1], key=bytes(32))
except WrongKeyError:
    print("refused")
"""

_RAW_CHILD = """
import sys, sqlcipher3
conn = sqlcipher3.connect(sys.argv[1])
conn.execute("PRAGMA key = \\"x'" + "00" * 32 + "'\\"")
try:
    conn.execute("SELECT count(*) FROM sqlite_master")
except sqlcipher3.DatabaseError:
    print("refused")
"""


def test_a_wrong_key_writes_nothing_to_the_terminal(encrypted):
    # SQLCipher writes ERROR lines straight to fd 2 (through the middle of the TUI)
    # unless told not to; a child process shows what reaches the real fd 2.
    def run(code: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", code, str(encrypted)], capture_output=True, text=True
        )

    raw = run(_RAW_CHILD)
    assert raw.stdout.strip() == "refused" and "ERROR" in raw.stderr  # what it would do
    ours = run(_WRONG_KEY_CHILD)
    assert ours.stdout.strip() == "refused"
    assert ours.stderr == ""


# --- sqlite-utils on an encrypted register ----------------------------------------------


def test_sqlite_utils_catches_only_the_standard_librarys_errors(tmp_path, encrypted):
    """The pitfall itself: on an encrypted register, sqlite-utils' own error handling
    does not run. docassist therefore never relies on it (the next test)."""
    plain = Database(engine.connect(str(tmp_path / "plain.db"), None))
    secret = Database(engine.connect(str(encrypted), KEY))
    for db in (plain, secret):
        db["notes"].insert({"text": "a"})
    plain["missing"].drop(ignore=True)
    plain["notes"].insert({"text": "b", "extra": 1}, alter=True)
    with pytest.raises(sqlcipher3.OperationalError):
        secret["missing"].drop(ignore=True)
    with pytest.raises(sqlcipher3.OperationalError):
        secret["notes"].insert({"text": "b", "extra": 1}, alter=True)
    # What docassist writes instead works on both.
    for db in (plain, secret):
        db.execute("DROP TABLE IF EXISTS missing")
        db.execute("ALTER TABLE notes ADD COLUMN other INTEGER")
        db["notes"].insert({"text": "c", "other": 2})
    assert secret.execute("SELECT count(*) FROM notes").fetchone()[0] == 2


# sqlite-utils calls whose error handling catches sqlite3.OperationalError only.
_RELIES_ON_SQLITE3_ERRORS = re.compile(
    r"\.drop\([^)]*ignore\s*=\s*True|alter\s*=\s*True|find_unique_name\s*=\s*True|\bRETURNING\b"
)


_POSTGRESQL = {"hub_sql.py"}


def test_no_code_relies_on_sqlite_utils_catching_errors():
    found = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in SRC.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _RELIES_ON_SQLITE3_ERRORS.search(line)
        and path.name != "engine.py"  # its warning
        and path.name not in _POSTGRESQL  # the hub's SQL: RETURNING is PostgreSQL's there
    ]
    assert found == [], "breaks on an encrypted register (store/engine.py):\n" + "\n".join(found)


def test_no_code_catches_the_standard_librarys_errors_alone():
    found = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in SRC.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.match(r"\s*except\b[^:]*\bsqlite3\.", line)
    ]
    assert found == [], "catch store.engine's tuples (both libraries):\n" + "\n".join(found)


def test_the_services_work_on_an_encrypted_register(encrypted):
    db = open_database(encrypted, key=KEY)
    try:
        ctx = Context(db)
        household = hh.register_household(
            ctx,
            hh.HouseholdInput("Bajramović", settlement="Mali Leskovac"),
            [hh.PersonInput("Zlatija", "Bajramović", birth_date="1988")],
        )
        # full-text search (FTS5) and its triggers, through SQLCipher
        [found] = hh.find_households(ctx, "bajramovic")
        assert found.id == household
    finally:
        db.close()


def test_a_held_lock_on_an_encrypted_register_is_said_busy(encrypted):
    first = open_database(encrypted, key=KEY)
    second = open_database(encrypted, key=KEY)
    try:
        second.execute("PRAGMA busy_timeout = 20")
        first.execute("BEGIN IMMEDIATE")
        with pytest.raises(BusyDatabaseError) as caught, Context(second).use_case() as db:
            db.execute("UPDATE meta SET value = value")
        assert isinstance(caught.value.__cause__, sqlcipher3.OperationalError)
        first.execute("ROLLBACK")
    finally:
        first.close()
        second.close()


def test_the_stores_checks_know_both_librarys_errors(tmp_path):
    conn = engine.sqlcipher().connect(":memory:")  # src reaches it only through engine
    with pytest.raises(sqlcipher3.OperationalError) as raised:
        conn.execute("SELECT * FROM nowhere")
    assert isinstance(raised.value, engine.OperationalErrors)
    assert isinstance(raised.value, engine.DatabaseErrors)
    assert not isinstance(raised.value, sqlite3.Error)  # why the tuples exist
    assert explain_database_error(raised.value, tmp_path / "x.db") is None  # not damage


_ERROR_TUPLES = {"Errors", "DatabaseErrors", "OperationalErrors", "IntegrityErrors"}


def _read_at_import(tree: ast.Module) -> list[int]:
    """Lines where module-level code (class bodies included, function bodies not) takes
    one of engine's error tuples: an import of it, or ``engine.<tuple>`` evaluated."""
    found: list[int] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("store.engine"):
            found.extend(node.lineno for alias in node.names if alias.name in _ERROR_TUPLES)
        if (
            isinstance(node, ast.Attribute)
            and node.attr in _ERROR_TUPLES
            and isinstance(node.value, ast.Name)
            and node.value.id == "engine"
        ):
            found.append(node.lineno)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_no_code_takes_the_error_tuples_before_sqlcipher_is_loaded():
    # The tuples gain sqlcipher3's classes when an encrypted register is first opened:
    # a copy taken at import would miss them, and a busy or damaged encrypted register
    # would then escape as an internal error.
    found = [
        f"{path.relative_to(SRC)}:{line}"
        for path in SRC.rglob("*.py")
        if path.name != "engine.py"
        for line in _read_at_import(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert found == [], "read engine's error tuples when catching, not at import:\n" + (
        "\n".join(found)
    )


def test_the_guard_sees_a_copy_taken_at_import():
    copied = ast.parse(
        "from docassist.store.engine import OperationalErrors\n"
        "CAUGHT = (KeyError, *engine.DatabaseErrors)\n"
        "class Screen:\n    caught = engine.Errors\n"
        "def later():\n    return engine.Errors\n"
    )
    assert _read_at_import(copied) == [1, 2, 4]


def test_sqlcipher_is_loaded_with_the_first_encrypted_register(tmp_path):
    # In a fresh interpreter: a plaintext register is opened without it, and the first
    # encrypted one brings it, its error classes joining engine's tuples.
    script = f"""
import sys
from docassist.store import engine
from docassist.store.db import open_database

open_database({str(tmp_path / "plain.db")!r}).close()
assert "sqlcipher3" not in sys.modules
assert engine.OperationalErrors == (__import__("sqlite3").OperationalError,)
open_database({str(tmp_path / "secret.db")!r}, key=bytes(range(32))).close()
import sqlcipher3
assert sqlcipher3.OperationalError in engine.OperationalErrors
assert sqlcipher3.DatabaseError in engine.DatabaseErrors
assert sqlcipher3.IntegrityError in engine.IntegrityErrors
assert sqlcipher3.Error in engine.Errors
engine.sqlcipher()  # again: nothing added twice
assert len(engine.Errors) == 2
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
