"""Opening the database: the one place that knows how the file is set up.

``open_database`` checks the file, applies pending migrations, then sets the
pragmas the rest of the code relies on. Errors carry an English msgid and
parameters so the CLI and UI can say them in the user's language.

A register is plaintext (``key=None``: the demo, practice, registers from before
encryption) or encrypted with SQLCipher under a 256-bit database key (store/keys.py
unwraps it at sign-in). Both go through the same functions here; which SQLite library
reads the file is decided by store/engine.py from its first bytes. Every file of the
register is owner-only (0600), whatever the umask.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

try:
    import fcntl
except ImportError:  # Windows: no advisory file locks; restore keeps its single check
    # mypy types the name as the module, which exists wherever it checks; here it is
    # None, and every use tests for that first.
    fcntl = None  # type: ignore[assignment]

from docassist.domain.text import N_, UserError
from docassist.locations import owner_only, private_folder
from docassist.store import engine, migrations
from docassist.store.database import Database
from docassist.store.migrations import KNOWN

if TYPE_CHECKING:  # the check's own imports are made when a check runs, not at every start
    from docassist.store.audit import ChainHead, RemoteChains

SQLITE_HEADER = engine.PLAINTEXT_HEADER

# ``PRAGMA quick_check`` reads every page: measured here (2 cores) at about
# 16 ms per MB, so 11-20 s for the 500 MB benchmark register, far over the
# 0.2 s budget for opening. Up to this size (about 1,000 families) it costs at
# most ~0.25 s and runs on every open; above it, opening checks only the
# header and the schema, and the full check is ``docassist db check``.
QUICK_CHECK_MAX_BYTES = 16 * 1024 * 1024


class StoreError(UserError):
    """A problem with the database file that the user can act on."""


class DamagedDatabaseError(StoreError):
    pass


class NewerDatabaseError(StoreError):
    pass


class EmptyDatabaseError(StoreError):
    pass


class ReadOnlyDatabaseError(StoreError):
    pass


class DiskFullError(StoreError):
    """The disk (or the folder's quota) holding the register has no room left."""


class BusyDatabaseError(StoreError):
    """Another program held the register's write lock longer than writers wait."""


class EncryptedDatabaseError(StoreError):
    """The register is encrypted and no key was given: sign in first."""


class WrongKeyError(StoreError):
    """The key given does not open the register (another register's, or page 1 damaged)."""


class NotEncryptedError(StoreError):
    """A key was given for a register that is not encrypted."""


_ENCRYPTED = N_(
    "The register {path} is encrypted: it opens only after signing in with a "
    "passphrase (or the recovery key)."
)
_WRONG_KEY = N_(
    "The key does not open {path}: the key file beside it belongs to another register, "
    "or the register is damaged. Nothing was changed."
)
_NOT_ENCRYPTED = N_(
    "The register {path} is not encrypted: it opens without a key. Nothing was changed."
)


_READ_ONLY = N_(
    "The register {path} cannot be written (read-only file or folder). Copy it "
    "somewhere you can write, or ask whoever looks after this laptop to allow it."
)
_DAMAGED = N_(
    "The database {path} is damaged ({detail}). Run `docassist db check`, then restore "
    "it from a backup."
)


def damaged_error(path: Path | str, detail: str) -> DamagedDatabaseError:
    """The one message for a damaged register or copy, with SQLite's ``detail``."""
    return DamagedDatabaseError(_DAMAGED, path=str(path), detail=detail)


_DISK_FULL = N_(
    "The disk holding {path} is full: nothing more could be written, and nothing "
    "was lost. Free some space (or move the register) and try again; the register is "
    "not damaged, so do not restore it from a backup."
)


def is_disk_full(err: BaseException) -> bool:
    """True for SQLite finding no room left on the disk holding the register."""
    if not isinstance(err, engine.DatabaseErrors):
        return False
    code = engine.error_code(err)
    if code is not None:
        return code == engine.SQLITE_FULL
    return "database or disk is full" in str(err)


def is_damage(err: BaseException) -> bool:
    """True for SQLite finding the file damaged: malformed pages, not a database,
    or text that is not UTF-8 (Python's sqlite3 cannot decode it; docassist only
    ever writes UTF-8, so such bytes were put there by damage)."""
    if (
        isinstance(err, engine.OperationalErrors)
        and "could not decode to utf-8" in str(err).lower()
    ):
        return True
    if not isinstance(err, engine.DatabaseErrors):
        return False
    code = engine.error_code(err)
    if code is not None:
        return code in (engine.SQLITE_CORRUPT, engine.SQLITE_NOTADB)
    text = str(err).lower()
    return "malformed" in text or "not a database" in text


def _read_only(path: Path | str) -> ReadOnlyDatabaseError:
    return ReadOnlyDatabaseError(_READ_ONLY, path=str(path))


def is_read_only(err: BaseException) -> bool:
    """True for SQLite refusing to write: a read-only file, folder or mount."""
    if not isinstance(err, engine.DatabaseErrors):
        return False
    code = engine.error_code(err)
    if code is not None:
        return code == engine.SQLITE_READONLY  # and its extended codes
    return "readonly database" in str(err)


_BUSY = N_(
    "Another program is writing to the register {path} and did not finish within a few "
    "seconds. Nothing was saved; try again in a moment."
)


def is_busy(err: BaseException) -> bool:
    """True for SQLite giving up on a lock another connection held past the timeout."""
    if not isinstance(err, engine.OperationalErrors):
        return False
    code = engine.error_code(err)
    if code is not None:
        return code in (engine.SQLITE_BUSY, engine.SQLITE_LOCKED)
    return "database is locked" in str(err)


def explain_database_error(err: BaseException | None, path: Path | str) -> StoreError | None:
    """The store's own message for a failure met after opening, or None.

    A large register is opened without reading every page, so damage shows up
    later, in whatever query reads the damaged part; the command line and the
    app say it with the message opening would have used. ``path`` is the file
    the failing connection was opened on. Follows the chain of causes, so a
    failure raised while handling a damaged read is explained too.
    """
    seen: set[int] = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, StoreError):
            return err
        if is_disk_full(err):
            return DiskFullError(_DISK_FULL, path=str(path))
        if is_damage(err):
            return damaged_error(path, str(err))
        if is_read_only(err):
            return _read_only(path)
        if is_busy(err):
            return BusyDatabaseError(_BUSY, path=str(path))
        err = err.__cause__ or err.__context__
    return None


def new_id() -> str:
    return str(uuid.uuid4())


def keyring_path(path: Path | str) -> Path:
    """The file beside an encrypted register holding its wrapped keys (store/keys.py)."""
    path = Path(path)
    return path.with_name(path.name + KEYRING_SUFFIX)


def has_keyring(register: Path | str) -> bool:
    """True if a key file lies beside ``register`` (an encrypted register has one).
    Here, not in store/keys.py, because every start asks it and needs nothing else
    of the keys (store/keys.py re-exports it)."""
    return keyring_path(Path(register).expanduser()).is_file()


def _check_file(path: Path, key: bytes | None = None) -> None:
    """Refuse a folder, a file that is not SQLite, and a key that does not fit the file:
    given for a plaintext register, or missing for an encrypted one. A missing or empty
    path passes. Decided from the first bytes, before any SQLite library opens it."""
    if path.is_dir():
        raise StoreError(N_("{path} is a folder, not a database file."), path=str(path))
    found = engine.header(path)
    if found is engine.Header.PLAINTEXT:
        if key is not None:
            raise NotEncryptedError(_NOT_ENCRYPTED, path=str(path))
        return
    if found is not engine.Header.OTHER or key is not None:
        return  # new, or encrypted: the key is checked at the first read
    # SQLCipher's file is random bytes from the first one on: without its key nothing
    # tells it from another kind of file, except the key file docassist keeps beside it.
    if keyring_path(path).exists():
        raise EncryptedDatabaseError(_ENCRYPTED, path=str(path))
    raise DamagedDatabaseError(
        N_("{path} is not a docassist database (it is some other kind of file)."),
        path=str(path),
    )


def _refuse_empty(path: Path) -> None:
    """A file that exists but holds nothing (0 bytes, no -wal) is refused, not made a
    new register: it is far more often a copy that went wrong than a wish to start
    afresh, and an empty register opened on it would hide the loss. A path where
    no file exists yet is a new register."""
    if path.exists() and _size(path) == 0:
        raise EmptyDatabaseError(
            N_(
                "{path} is empty: it holds no register. Restore it from a backup, or "
                "delete it to start a new register."
            ),
            path=str(path),
        )


def _refuse_dangling_link(path: Path) -> None:
    """A link to a file that is not there (a stick not plugged in, a moved folder) is a
    mistake, not a wish for a new register where the link points."""
    if path.is_symlink() and not path.exists():
        raise StoreError(
            N_("{path} is a link to {target}, which does not exist: nothing was opened."),
            path=str(path),
            target=os.readlink(path),
        )


def _refuse_unreadable(path: Path) -> None:
    if not os.access(path, os.R_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))


def _refuse_read_only(path: Path) -> None:
    """Refuse before opening what cannot be written, rather than fail at the first
    save (signing in writes the user's language). WAL keeps two files beside the
    register (-wal, -shm), so its folder must be writable too."""
    if path.exists():
        _refuse_unreadable(path)
        if not os.access(path, os.W_OK):
            raise _read_only(path)
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise _read_only(path)


def missing_error(path: Path) -> StoreError:
    """The message for a register or backup that is not there."""
    return StoreError(N_("There is no database at {path}."), path=str(path))


def require_register_file(path: Path, key: bytes | None = None) -> None:
    """Refuse, with the reason, a path that holds no register to read: a folder, some
    other kind of file, nothing at all, or an empty file; or a key that does not fit."""
    _check_file(path, key)
    if not path.exists():
        raise missing_error(path)
    _refuse_empty(path)


KEYRING_SUFFIX = ".keys"
# Files SQLite keeps beside the register, and the wrapped keys of an encrypted one.
REGISTER_SIDE_FILES = ("-wal", "-shm", "-journal", KEYRING_SUFFIX)


@dataclass(frozen=True)
class OpenedUp:
    """Register files that other users of the laptop could read: ``fixed`` are
    owner-only now; ``not_fixed`` could not be changed (another owner, a file system
    without permissions). Whoever opens the register says so once."""

    fixed: list[Path] = field(default_factory=list)
    not_fixed: list[Path] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fixed or self.not_fixed)


def secure_register_files(path: Path | str) -> OpenedUp:
    """Make the register at ``path``, its -wal, -shm, -journal and key file owner-only
    where they are readable by others (made by an older docassist, or copied under a
    loose umask); says which were. Opening does it too, so a second call finds nothing."""
    path = Path(path).expanduser()
    found = OpenedUp()
    for file in (path, *(path.with_name(path.name + s) for s in REGISTER_SIDE_FILES)):
        try:
            fixed = owner_only(file)
        except FileNotFoundError:
            continue
        except OSError:
            found.not_fixed.append(file)
            continue
        if fixed:
            found.fixed.append(file)
    return found


def refuse_overwrite(
    target: Path | str, register: Path | str, folders: tuple[Path, ...] = ()
) -> None:
    """Refuse to write ``target`` when it is the register, one of the files SQLite keeps
    beside it, or a file in one of ``folders`` (the backups): a report saved under the
    register's name replaced every family's records. The one check every command
    that writes a file makes."""
    wanted = Path(target).expanduser().resolve()
    register = Path(register).expanduser().resolve()
    own = {register, *(register.with_name(register.name + s) for s in REGISTER_SIDE_FILES)}
    inside = any(wanted.is_relative_to(Path(f).expanduser().resolve()) for f in folders)
    if wanted in own or inside:
        raise StoreError(
            N_(
                "{path} is the register, one of its files or a backup: docassist does not "
                "write over it. Choose another file."
            ),
            path=str(target),
        )


class RestoringError(StoreError):
    """The register is being replaced by a backup right now."""


def lock_file(path: Path) -> Path:
    """The file beside the register that a restore locks for its whole length. It stays
    there: deleting a lock file lets two programs lock two different files."""
    return path.with_name(f".{path.name}.lock")


@contextmanager
def _file_lock(path: Path, exclusive: bool) -> Iterator[bool]:
    """Hold ``path``'s lock file, shared (opening) or exclusive (restoring), for the block;
    yields False when another program holds it the other way."""
    if fcntl is None:
        yield True
        return
    fd = os.open(lock_file(path), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
        else:
            yield True
    finally:
        os.close(fd)  # lets go of the lock


_RESTORING = N_(
    "The register {path} is being restored from a backup right now. Wait until the "
    "restore has finished, then try again."
)


@contextmanager
def restoring(path: Path, wait: float = 5.0) -> Iterator[None]:
    """The register at ``path`` locked against every docassist that would open it, for
    the whole of a restore: one opened halfway kept writing into the replaced file.
    Programs only opening it hold the lock for a moment: wait ``wait`` seconds for them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        with _file_lock(path, exclusive=True) as held:
            if held:
                yield
                return
        if time.monotonic() > deadline:
            raise RestoringError(_RESTORING, path=str(path))
        time.sleep(0.05)


def connect(
    path: Path,
    key: bytes | None = None,
    *,
    read_only: bool = False,
    immutable: bool = False,
    timeout: float = 5.0,
) -> sqlite3.Connection:
    """A bare connection to the file at ``path``, through the SQLite library its first
    bytes call for (store/engine.py), with ``key`` for an encrypted one: the way every
    store module opens a file other than through ``open_database``.

    ``read_only``: SQLite itself refuses any write; ``immutable`` also takes no locks
    and makes no -wal/-shm (for a file nobody has open). Raises ``WrongKeyError``,
    ``EncryptedDatabaseError`` or ``NotEncryptedError`` when ``key`` does not fit.
    """
    _check_file(path, key)
    if read_only:
        uri = path.resolve().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
        conn = engine.connect(uri, key, uri=True, timeout=timeout)
    else:
        conn = engine.connect(str(path), key, timeout=timeout)
    if key is not None:
        _verify_key(conn, path)
    return conn


def _verify_key(conn: sqlite3.Connection, path: Path | str) -> None:
    """Read the first page (SQLCipher decrypts and authenticates it): a wrong key is
    said here, as such, instead of as damage at some later query."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except engine.DatabaseErrors as err:
        if engine.error_code(err) == engine.SQLITE_NOTADB:
            conn.close()
            raise WrongKeyError(_WRONG_KEY, path=str(path)) from err
        conn.close()
        raise
    except BaseException:
        conn.close()
        raise


def _connect(path: Path | str) -> Database:
    # isolation_level=None: no implicit transactions. Every write either runs
    # in an explicit db.atomic() block or commits at once; nothing waits for a
    # commit that a closing connection would silently drop.
    return Database(engine.connect(str(path), None))


def _connect_encrypted(path: Path | str, key: bytes) -> Database:
    conn = engine.connect(str(path), key)
    _verify_key(conn, path)
    return Database(conn)


def _quick_check(db: Database, path: Path | str) -> None:
    try:
        rows = db.execute("PRAGMA quick_check").fetchall()
    except engine.DatabaseErrors as err:
        if is_read_only(err) or is_disk_full(err):
            raise  # not damage: open_database says what it is
        raise damaged_error(path, str(err)) from err
    if rows != [("ok",)]:
        raise damaged_error(path, rows[0][0] if rows else "?")


def _refuse_newer(db: Database, path: Path | str) -> None:
    unknown = [name for name in migrations.applied(db) if name not in KNOWN]
    if unknown:
        raise NewerDatabaseError(
            N_(
                "The database {path} was written by a newer version of docassist. "
                "Install the newer version to open it; nothing was changed."
            ),
            path=str(path),
        )


def open_database(
    path: Path | str,
    *,
    create: bool = True,
    quick_check: bool | None = None,
    key: bytes | None = None,
) -> Database:
    """Open (and if needed create and migrate) the database at ``path``.

    ``quick_check``: None checks every page only of a file up to
    ``QUICK_CHECK_MAX_BYTES``; True or False forces the check on or off.
    ``key``: the 32-byte database key of an encrypted register (a new file is then
    created encrypted); None for a plaintext one. A key that does not fit raises
    ``WrongKeyError``, ``EncryptedDatabaseError`` or ``NotEncryptedError``.
    The register and its -wal/-shm are owner-only (0600) whatever the umask; a folder
    made for it is 0700.
    """
    memory = str(path) == ":memory:"
    if not memory:
        path = Path(path).expanduser()
        if create:
            _refuse_dangling_link(path)
            _check_file(path, key)
            _refuse_empty(path)
        else:
            require_register_file(path, key)
        private_folder(path.parent, fix=False)
        _refuse_read_only(path)
        secure_register_files(path)
    try:
        with _opening(path):
            return _open_connection(path, memory, quick_check, key)
    except engine.DatabaseErrors as err:
        if is_read_only(err):
            raise _read_only(path) from err
        if is_disk_full(err):
            raise DiskFullError(_DISK_FULL, path=str(path)) from err
        if is_busy(err):
            # Another program holds the lock (a restore finishing, a long write): the
            # file is fine, and calling it damaged would send someone to a backup.
            raise BusyDatabaseError(_BUSY, path=str(path)) from err
        # Anything else SQLite cannot do while opening: the file is not usable.
        raise damaged_error(path, str(err)) from err


@contextmanager
def _opening(path: Path | str) -> Iterator[None]:
    """Refuse a register a restore is replacing; hold the lock shared until the
    connection is open, so a restore starting now sees it (and refuses) instead."""
    if str(path) == ":memory:":
        yield
        return
    with _file_lock(Path(path), exclusive=False) as held:
        if not held:
            raise RestoringError(_RESTORING, path=str(path))
        _remove_encryption_leftovers(Path(path))
        yield


def encryption_files(path: Path) -> tuple[Path, Path]:
    """The two files ``backup.encrypt_database`` makes beside the register: a plaintext
    copy of its bytes, and the encrypted copy before it is renamed over the register."""
    return path.with_name(f".{path.name}.plaintext"), path.with_name(f".{path.name}.encrypting")


def _remove_encryption_leftovers(path: Path) -> None:
    """What an encryption killed halfway left beside the register: a plaintext copy of
    every family's record must not stay where nobody knows of it. Safe here: an
    encryption holds the register's lock exclusively, and opening holds it shared."""
    for made in encryption_files(path):
        for file in (
            made,
            made.with_name(f".{made.name}.part"),
            *(made.with_name(made.name + s) for s in ("-journal", "-wal", "-shm")),
        ):
            file.unlink(missing_ok=True)


def _open_connection(
    path: Path | str, memory: bool, quick_check: bool | None, key: bytes | None
) -> Database:
    db = _connect(path) if key is None else _connect_encrypted(path, key)
    try:
        if not memory:
            # SQLite made a new file with the umask's bits, and makes -wal, -shm and
            # -journal with the register's: owner-only before the first byte is written.
            owner_only(Path(path))
        db.execute("PRAGMA busy_timeout = 5000")
        if quick_check is None:
            quick_check = not memory and _size(path) <= QUICK_CHECK_MAX_BYTES
        if quick_check:
            _quick_check(db, path)
        _refuse_newer(db, path)
        # Foreign keys stay off while migrating: a transform() of a table
        # referenced by others fails with them on.
        db.execute("PRAGMA foreign_keys = OFF")
        migrations.apply(db)
        if not memory:
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA foreign_keys = ON")
        _ensure_device_id(db)
    except BaseException:
        db.close()
        raise
    return db


def _size(path: Path | str) -> int:
    # The -wal file counts too: after a crash it may hold most of the data.
    path = Path(path)
    wal = path.with_name(path.name + "-wal")
    return sum(p.stat().st_size for p in (path, wal) if p.exists())


def _ensure_device_id(db: Database) -> None:
    row = db.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
    if row is None:
        db.execute("INSERT INTO meta(key, value) VALUES ('device_id', ?)", [new_id()])


def device_id(db: Database) -> str:
    """The id of the laptop that writes through this database file."""
    return db.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()[0]


def schema_version(db: Database) -> list[str]:
    return migrations.applied(db)


def _connect_read_only(
    path: Path, *, immutable: bool, key: bytes | None = None
) -> sqlite3.Connection:
    # mode=ro: SQLite itself refuses any write, so checking cannot change the
    # register. immutable=1: no locks and no -wal/-shm files at all (a read-only
    # connection cannot delete them afterwards, and ones made by another user,
    # say under sudo, would then lock the register's owner out).
    return connect(path, key, read_only=True, immutable=immutable)


# A finding of ``db check``: SQLite's own words about the file, or ours (worded for
# the user, translated where it is shown).
Finding = str | UserError


@dataclass(frozen=True)
class CheckResult:
    findings: list[Finding]
    audit: ChainHead | None = None  # the audit trail's newest entry, when it verifies
    # the other laptops' chains this register holds (synced), when they verify
    remote: RemoteChains | None = None


def _run_checks(conn: sqlite3.Connection, path: Path) -> CheckResult:
    findings: list[Finding] = []
    audit: ChainHead | None = None
    remote: RemoteChains | None = None
    try:
        if engine.is_encrypted_connection(conn):
            # Every page's authentication code: a page changed on disk by anything
            # but SQLCipher (tampering, a bad sector) is named by its number.
            findings.extend(row[0] for row in conn.execute("PRAGMA cipher_integrity_check"))
        for (msg,) in conn.execute("PRAGMA integrity_check").fetchall():
            if msg != "ok":
                findings.append(msg)
        for row in conn.execute("PRAGMA foreign_key_check").fetchall():
            findings.append(f"foreign key: {row[0]} row {row[1]} -> {row[2]}")
        if not findings:  # on a damaged file, the damage is the finding
            from docassist.store.audit import ChainBreak, verify_chain, verify_remote_chains

            chain = verify_chain(conn)
            if isinstance(chain, ChainBreak):
                findings.append(chain)
            else:
                audit = chain
            others = verify_remote_chains(conn)  # each laptop's chain on its own
            if isinstance(others, ChainBreak):
                findings.append(others)
            else:
                remote = others
    except engine.DatabaseErrors as err:
        code = engine.error_code(err)
        if is_read_only(err) or code == engine.SQLITE_CANTOPEN:
            # reading a register that is in use needs its -shm file, which a
            # read-only folder or disk does not let SQLite make
            raise _read_only(path) from err
        findings.append(str(err))  # so damaged that the check itself cannot read it
    finally:
        conn.close()
    return CheckResult(findings, audit, remote)


def _stamp(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return (st.st_ino, st.st_size, st.st_mtime_ns)


# What ``db check`` counts, so two laptops or a backup and the register can be compared.
COUNTED_TABLES = ("households", "persons", "cases", "case_steps", "audit_log")


def count_records(path: Path | str, key: bytes | None = None) -> dict[str, int] | None:
    """The rows in ``COUNTED_TABLES`` (soft-deleted ones left out), read-only; None for a
    file that is not a docassist register. ``key``: an encrypted register's."""
    path = Path(path).expanduser()
    in_use = any(path.with_name(path.name + s).exists() for s in ("-wal", "-journal"))
    try:
        conn = _connect_read_only(path, immutable=not in_use, key=key)
    except DamagedDatabaseError:
        return None  # some other kind of file
    try:
        counts = {}
        for table in COUNTED_TABLES:
            live = "" if table == "audit_log" else " WHERE deleted_at IS NULL"
            counts[table] = conn.execute(f"SELECT count(*) FROM {table}{live}").fetchone()[0]
        return counts
    except engine.DatabaseErrors:
        return None
    finally:
        conn.close()


def check_database(path: Path | str, key: bytes | None = None) -> list[Finding]:
    """The findings of ``check_register``: empty when healthy."""
    return check_register(path, key).findings


def check_register(path: Path | str, key: bytes | None = None) -> CheckResult:
    """What ``docassist db check`` reports: findings, none when healthy, and the
    audit trail's newest entry.

    Always the full ``integrity_check`` of every page and index, whatever the
    file's size (opening a large file skips even the quick check); for an encrypted
    register (``key``) first ``cipher_integrity_check``, every page's authentication
    code; then the audit chain from its first entry. The file is only read: opened
    read-only, no migrations, no pragmas that write, so the check also works on a
    register it may not write (a backup on a locked stick).
    """
    path = Path(path).expanduser()
    require_register_file(path, key)
    _refuse_unreadable(path)
    side_files = [path.with_name(path.name + suffix) for suffix in ("-wal", "-journal")]

    def in_use() -> bool:  # open now, or left so by a crash: its -wal must be read too
        return any(p.exists() for p in side_files)

    if not in_use():
        before = _stamp(path)
        result = _run_checks(_connect_read_only(path, immutable=True, key=key), path)
        # Trusted only if nobody opened and changed it meanwhile; else read it again
        # through SQLite's locks, which keeps a writer and the check apart.
        if not in_use() and _stamp(path) == before:
            return result
    return _run_checks(_connect_read_only(path, immutable=False, key=key), path)


@contextmanager
def read_only(path: Path | str, key: bytes | None = None) -> Iterator[Database]:
    """The register at ``path`` opened only to read it, as ``check_database`` does: no
    migrations, and SQLite itself refuses any write (a backup on a locked stick, a file
    that must not change while it is checked or before it is restored)."""
    path = Path(path).expanduser()
    require_register_file(path, key)
    _refuse_unreadable(path)
    in_use = any(path.with_name(path.name + s).exists() for s in ("-wal", "-journal"))
    conn = _connect_read_only(path, immutable=not in_use, key=key)
    try:
        yield Database(conn)
    finally:
        conn.close()
