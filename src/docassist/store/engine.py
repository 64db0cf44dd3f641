"""The two SQLite libraries, and the one place that knows there are two.

Plaintext registers (the demo, practice, registers from before encryption) go through
the standard library's ``sqlite3``; encrypted ones through ``sqlcipher3`` (SQLCipher 4,
built into its wheel). Which one is decided from the file's first 16 bytes *before* it is
opened: SQLite keeps its POSIX lock bookkeeping per library, so one file opened through
both in one process has its locks dropped when either closes it (fcntl locks belong to
the process), and two writers could then both write.

The libraries raise errors of different classes: ``except sqlite3.OperationalError``
does not catch ``sqlcipher3.OperationalError``. Code that catches SQLite errors catches
the tuples below, read from this module when the error is caught
(``except engine.OperationalErrors``), never a copy taken at import: sqlcipher3 is
imported when an encrypted register is first opened (``sqlcipher``), and its classes
join the tuples then. Loading its library (a 21 MB file, its own SQLite and OpenSSL)
cost every start 5-6 ms of CPU, a plaintext register's and an encrypted one's sign-in
screen alike; none of its errors can be raised before it is loaded.
tests/store/test_engine.py keeps src from copying the tuples.

sqlite-utils cannot catch both: it catches ``sqlite3.OperationalError`` only, so
``table.drop(ignore=True)``, ``insert(..., alter=True)``, ``db.query`` on a writing
statement and ``create_index(find_unique_name=True)`` misbehave on an encrypted register
(the error escapes instead of being handled). docassist writes SQL for those instead
(``DROP TABLE IF EXISTS``, explicit ``ALTER TABLE`` in a migration);
tests/store/test_engine.py shows the pitfall, and test_sqlite_utils_pitfalls keeps src
from using them.
"""

from __future__ import annotations

import sqlite3
from enum import Enum
from pathlib import Path
from types import ModuleType

PLAINTEXT_HEADER = b"SQLite format 3\x00"
KEY_BYTES = 32  # AES-256: SQLCipher 4's page cipher

# sqlite3's alone until sqlcipher3 is loaded (see the module's note).
Errors: tuple[type[Exception], ...] = (sqlite3.Error,)
DatabaseErrors: tuple[type[Exception], ...] = (sqlite3.DatabaseError,)
OperationalErrors: tuple[type[Exception], ...] = (sqlite3.OperationalError,)
IntegrityErrors: tuple[type[Exception], ...] = (sqlite3.IntegrityError,)

# Result codes: the same numbers in both libraries (they are SQLite's).
SQLITE_FULL = sqlite3.SQLITE_FULL
SQLITE_CORRUPT = sqlite3.SQLITE_CORRUPT
SQLITE_NOTADB = sqlite3.SQLITE_NOTADB
SQLITE_READONLY = sqlite3.SQLITE_READONLY
SQLITE_BUSY = sqlite3.SQLITE_BUSY
SQLITE_LOCKED = sqlite3.SQLITE_LOCKED
SQLITE_CANTOPEN = sqlite3.SQLITE_CANTOPEN


class Header(Enum):
    """What a file's first bytes say, before any library opens it."""

    MISSING = "missing"  # no file: a new register
    EMPTY = "empty"  # 0 bytes
    PLAINTEXT = "plaintext"  # an ordinary SQLite database
    OTHER = "other"  # an encrypted register (all its bytes look random), or not SQLite


def header(path: Path | str) -> Header:
    path = Path(path)
    try:
        with path.open("rb") as f:
            first = f.read(len(PLAINTEXT_HEADER))
    except FileNotFoundError:
        return Header.MISSING
    if not first:
        return Header.EMPTY
    return Header.PLAINTEXT if first == PLAINTEXT_HEADER else Header.OTHER


def sqlcipher() -> ModuleType:
    """sqlcipher3, loaded on first use; from then on the error tuples hold its classes."""
    global Errors, DatabaseErrors, OperationalErrors, IntegrityErrors
    import sqlcipher3

    if sqlcipher3.Error not in Errors:
        Errors = (*Errors, sqlcipher3.Error)
        DatabaseErrors = (*DatabaseErrors, sqlcipher3.DatabaseError)
        OperationalErrors = (*OperationalErrors, sqlcipher3.OperationalError)
        IntegrityErrors = (*IntegrityErrors, sqlcipher3.IntegrityError)
    return sqlcipher3


def error_code(err: BaseException) -> int | None:
    """SQLite's primary result code of ``err`` (either library), or None."""
    code = getattr(err, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def key_pragma(key: bytes) -> str:
    """The statement giving SQLCipher ``key`` as a raw key: used as it is, no key
    derivation, so opening stays as fast as a plaintext file (the slow derivation is
    done once per sign-in, on the passphrase: store/keys.py)."""
    return f'PRAGMA key = "{_raw(key)}"'


def connect(
    database: str,
    key: bytes | None,
    *,
    uri: bool = False,
    timeout: float = 5.0,
) -> sqlite3.Connection:
    """A connection through the library ``key`` calls for: None, the standard library;
    a key, SQLCipher with that key (checked at the first read, not here).

    Callers decide from ``header`` first (store/db.py ``connect``), so a file is only
    ever opened through the library its bytes call for. ``isolation_level=None``: no
    implicit transactions (every write is in an explicit one or commits at once).
    """
    if key is None:
        return sqlite3.connect(
            database, isolation_level=None, check_same_thread=False, timeout=timeout, uri=uri
        )
    conn = sqlcipher().connect(
        database, isolation_level=None, check_same_thread=False, timeout=timeout, uri=uri
    )
    try:
        # First, before the key: otherwise a wrong key makes SQLCipher write ERROR lines
        # straight to fd 2, through the middle of the terminal screen.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(key_pragma(key))
    except BaseException:
        conn.close()
        raise
    return conn


def is_encrypted_connection(conn: sqlite3.Connection) -> bool:
    """True for a connection through SQLCipher (to pick the right checks)."""
    return type(conn).__module__.startswith("sqlcipher3")


def export_encrypted(plaintext: Path, target: Path, key: bytes) -> dict[str, int]:
    """Write the plaintext database ``plaintext`` into the new file ``target``,
    encrypted with ``key``, by SQLCipher's own export (schema, rows, full-text
    indexes, triggers; ``user_version`` copied by hand, the export leaves it out).
    Returns the rows of each ordinary table of ``plaintext``, for the caller to compare
    with the copy once it is opened afresh.

    ``plaintext`` is read through SQLCipher: it must be a file nothing else in this
    process has open (the caller copies the register first; see the module's note).
    """
    conn = sqlcipher().connect(str(plaintext), isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("ATTACH DATABASE ? AS encrypted KEY ?", [str(target), _raw(key)])
        conn.execute("SELECT sqlcipher_export('encrypted')")
        version = int(conn.execute("PRAGMA main.user_version").fetchone()[0])
        conn.execute(f"PRAGMA encrypted.user_version = {version}")
        counts = row_counts(conn)
        conn.execute("DETACH DATABASE encrypted")
    finally:
        conn.close()
    return counts


def row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """The rows of every ordinary table of ``conn``'s main database (virtual tables
    left out: their rows live in their shadow tables, which are counted)."""
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
        )
    ]
    quoted = {t: '"' + t.replace('"', '""') + '"' for t in tables}
    return {t: conn.execute(f"SELECT count(*) FROM main.{quoted[t]}").fetchone()[0] for t in tables}


def _raw(key: bytes) -> str:
    if len(key) != KEY_BYTES:
        raise ValueError(f"a database key has {KEY_BYTES} bytes, not {len(key)}")
    return f"x'{key.hex()}'"
