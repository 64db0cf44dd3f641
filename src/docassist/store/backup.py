"""Copies of the register, and putting one back.

A laptop is stolen, a disk dies, a tired hand deletes the file: the families' records
must survive it. A backup is made with SQLite's own backup, which copies a consistent
state even while the app has the register open (the -wal file included). Restoring
first keeps the register it replaces, so a restore can itself be undone.

A backup of an encrypted register is encrypted with the same key, checked after writing
(every page's authentication code, then SQLite's integrity check), and its key file is
copied beside it, so it opens with a passphrase valid when it was made or with the
recovery key. ``encrypt_database`` turns a plaintext register into an encrypted one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; leftovers are not cleaned there
    # mypy types the name as the module, which exists wherever it checks; here it is
    # None, and every use tests for that first.
    fcntl = None  # type: ignore[assignment]

from docassist.domain.text import N_
from docassist.locations import chosen_folder, new_file, owner_only, private_folder
from docassist.store import engine, keys
from docassist.store.db import (
    DamagedDatabaseError,
    NewerDatabaseError,
    StoreError,
    check_database,
    connect,
    damaged_error,
    encryption_files,
    explain_database_error,
    keyring_path,
    lock_file,
    missing_error,
    open_database,
    refuse_overwrite,
    require_register_file,
    restoring,
)
from docassist.store.migrations import KNOWN


def dated_file(folder: Path, prefix: str = "docassist") -> Path:
    """A new file in ``folder`` named after now, never one another copy already has:
    two restores (or backups) in one second each keep their own copy."""
    return new_file(folder, f"{prefix}-{datetime.now():%Y%m%d-%H%M%S}", ".db")


@contextmanager
def _partial(target: Path) -> Iterator[Path]:
    """The temporary file a copy is written to beside ``target``, renamed over it if the
    block succeeds and deleted if it fails. Owner-only from its first byte (it is a full
    copy of the register), and locked while in use, so that ``clean_leftovers`` tells
    what a killed copy left from a copy being written now."""
    chosen_folder(target.parent)  # a stick not plugged in gets no folders on this disk
    partial = target.with_name(f".{target.name}.part")
    fd = os.open(partial, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if not _try_lock(fd):
            raise StoreError(
                N_("Another copy is being written to {path} right now: try again later."),
                path=str(target),
            )
        os.fchmod(fd, 0o600)
        os.ftruncate(fd, 0)
        try:
            yield partial
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    finally:
        os.close(fd)


def _try_lock(fd: int, without_locks: bool = True) -> bool:
    """Lock ``fd`` exclusively if nobody holds it; ``without_locks`` is the answer
    where the system has no such locks."""
    if fcntl is None:
        return without_locks
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def clean_leftovers(folder: Path) -> list[Path]:
    """Delete what killed copies left in ``folder`` (a ``.<name>.part`` nobody holds, and
    the empty name it had reserved); returns what was deleted. A full copy of the
    register must not lie about where nobody knows of it."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for partial in folder.glob(".*.part"):
        try:
            fd = os.open(partial, os.O_RDONLY)
        except OSError:
            continue
        try:
            if not _try_lock(fd, without_locks=False):
                continue  # being written now (or, without locks, cannot tell)
            partial.unlink(missing_ok=True)
            removed.append(partial)
            reserved = partial.with_name(partial.name[1 : -len(".part")])
            if reserved.is_file() and reserved.stat().st_size == 0:
                reserved.unlink()
                removed.append(reserved)
                beside = keyring_path(reserved)  # the key file copied before the copy
                if beside.is_file():
                    beside.unlink()
                    removed.append(beside)
        finally:
            os.close(fd)
    return removed


def _copy(source: Path, target: Path, key: bytes | None = None) -> None:
    """``source`` copied to ``target`` whole, or not at all (a temporary name first);
    an encrypted one (``key``) stays encrypted with the same key."""
    with _partial(target) as partial:
        src = connect(source, key)
        try:
            dst = connect(partial, key)
            try:
                src.backup(dst)
                # A plain file that needs no -wal beside it: it can travel on a stick.
                dst.execute("PRAGMA journal_mode = DELETE")
                if key is None:
                    if dst.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                        raise damaged_error(target, "the copy does not read back")
                elif problems := _encrypted_problems(dst):
                    raise damaged_error(target, f"the copy does not read back: {problems[0]}")
            finally:
                dst.close()
        finally:
            src.close()


def _encrypted_problems(conn: sqlite3.Connection) -> list[str]:
    """Every page of an encrypted copy read back: its authentication code (a page
    that did not reach the disk as written fails it), then SQLite's own check."""
    bad = [row[0] for row in conn.execute("PRAGMA cipher_integrity_check")]
    if not bad:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
        bad = [] if rows == [("ok",)] else [r[0] for r in rows] or ["?"]
    return bad


class EncryptionFailedError(StoreError):
    """The encrypted copy did not read back whole; the register was left as it was."""


_NOT_ENCRYPTED = N_(
    "The encrypted copy of {path} did not read back whole ({detail}). The register was "
    "left as it was, not encrypted; nothing was lost. Free some space on the disk and "
    "try again."
)


def backup_database(
    path: Path | str, target: Path, key: bytes | None = None, *, fix_folder: bool = False
) -> Path:
    """Copy the register at ``path`` to ``target``: a file, or a folder (an existing
    one, or a name without an extension) to put it in under a dated name.

    ``key``: an encrypted register's; the copy is encrypted with it and the key file is
    copied beside it. The copy is 0600; ``fix_folder`` also takes the folder's access
    from others (docassist's own backups folder, not one the user named).

    No folder is made here (``MissingFolderError``): the caller makes docassist's own
    backups folder (``locations.default_folder``), never one the user named.
    """
    path = Path(path).expanduser()
    require_register_file(path, key)
    target = Path(target).expanduser().absolute()
    if backup_folder(target) == target:  # "copies" names a folder
        chosen_folder(target)
        if fix_folder:
            owner_only(target)
        clean_leftovers(target)
        target = dated_file(target)
        _copy_or_unreserve(path, target, key)
        return target
    refuse_overwrite(target, path)
    chosen_folder(target.parent)  # before the key file, which would make it
    if key is None:
        _copy(path, target)
    else:
        _copy_with_keys(path, target, key)
    return target


def backup_folder(target: Path) -> Path:
    """The folder a backup to ``target`` goes in: ``target`` itself when it names one
    (an existing folder, or a name without an extension), else the file's folder."""
    target = Path(target).expanduser().absolute()
    return target if target.is_dir() or not target.suffix else target.parent


def _copy_or_unreserve(source: Path, target: Path, key: bytes | None = None) -> None:
    """``_copy`` onto a name ``dated_file`` reserved: a failed copy gives the name back."""
    try:
        if key is None:
            _copy(source, target)
        else:
            _copy_with_keys(source, target, key)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _copy_with_keys(source: Path, target: Path, key: bytes) -> None:
    """An encrypted copy with the key file beside it. The key file first: a copy
    without one would open only as long as the register's own key file lasts."""
    if not keys.keyring_matches(source, key):
        raise keys.KeyringError(
            N_("That key is not the key of {path}: nothing was changed."), path=str(source)
        )
    # Over an existing copy: the key file it had is replaced by one for the same key.
    existed = target.exists() and target.stat().st_size > 0
    keys.copy_keyring(source, target)
    try:
        _copy(source, target, key)
    except BaseException:
        if not existed:
            keys.remove_keyring(target)
        raise


def restore_database(
    backup: Path | str,
    path: Path | str,
    keep_dir: Path,
    key: bytes | None = None,
    *,
    register_key: bytes | None = None,
    before_replace: Callable[[sqlite3.Connection, Path], None] | None = None,
) -> Path | None:
    """Put the copy ``backup`` in place of the register at ``path``.

    The backup is checked page by page and brought to this version's schema on a
    copy first; the register it replaces is kept in ``keep_dir`` (returned), so
    nothing is lost if the wrong file was chosen. Refused while the register is
    open in the app: replacing a file under a running program would lose its writes.

    ``key``: the backup's key when it is encrypted. ``register_key``: the key of the
    encrypted register being replaced (needed to take it over exclusively; by default
    ``key``, as for a backup of this same register). The restored register keeps the
    key file beside it when that one opens the backup (users' passphrases set since the
    backup keep working), else gets the backup's; the replaced register's key file is
    kept beside its kept copy.

    ``before_replace(held, copy)``: called once the register is held exclusively (``held``
    reads it) and before the prepared copy (at ``copy``, opened with ``key``) replaces
    it: the services carry over what must survive a restore (erasures) into the copy,
    so the register never holds the old state, not even after a crash halfway.
    """
    backup = Path(backup).expanduser().absolute()
    path = Path(path).expanduser().absolute()
    if not backup.exists():
        raise missing_error(backup)
    if backup.resolve() == path.resolve():
        raise StoreError(N_("That is the register itself: choose a backup file to restore."))
    findings = check_database(backup, key)
    if findings:
        raise damaged_error(backup, str(findings[0]))
    _require_register(backup, key)
    keyring_from = _keyring_for(backup, path, key)
    incoming = path.with_name(f".{path.name}.restoring")
    # Locked for the whole restore: an app or command opening the register now is
    # refused, instead of writing into the file about to be replaced.
    with restoring(path):
        incoming.unlink(missing_ok=True)
        try:
            _copy(backup, incoming, key)
            # Migrates the copy, and refuses a backup written by a newer docassist.
            open_database(incoming, quick_check=False, key=key).close()
            conn = connect(incoming, key)
            conn.execute("PRAGMA journal_mode = DELETE")
            conn.close()
            kept = None
            if path.exists() and path.stat().st_size:
                current = None if _is_plaintext(path) else register_key or key
                held = _hold_exclusive(path, current)
                try:
                    if before_replace is not None:
                        before_replace(held, incoming)
                        # What the services wrote must be in the file that is renamed,
                        # not in a write-ahead log beside it.
                        conn = connect(incoming, key)
                        conn.execute("PRAGMA journal_mode = DELETE")
                        conn.close()
                    private_folder(keep_dir)  # docassist's backups folder: owner-only
                    clean_leftovers(keep_dir)
                    kept = dated_file(keep_dir, "before-restore")
                    _copy_file_or_unreserve(path, kept)
                    if keys.has_keyring(path):
                        keys.copy_keyring(path, kept)
                    _install_keyring(keyring_from, path)
                    for side in ("-wal", "-shm", "-journal"):
                        path.with_name(path.name + side).unlink(missing_ok=True)
                    os.replace(incoming, path)
                finally:
                    held.close()
            else:
                _install_keyring(keyring_from, path)
                for side in ("-wal", "-shm", "-journal"):
                    path.with_name(path.name + side).unlink(missing_ok=True)
                os.replace(incoming, path)
        finally:
            for leftover in (incoming, lock_file(incoming)):
                leftover.unlink(missing_ok=True)
            for side in ("-wal", "-shm", "-journal"):
                incoming.with_name(incoming.name + side).unlink(missing_ok=True)
    return kept


def _is_plaintext(path: Path) -> bool:
    return engine.header(path) is engine.Header.PLAINTEXT


def _keyring_for(backup: Path, path: Path, key: bytes | None) -> Path | None:
    """Which key file the restored register gets: None for a plaintext backup (a key
    file beside the register is then stale), the register's own when it opens the
    backup, else the backup's. Refused, before anything is replaced, when neither does:
    the restored register would open for nobody."""
    if key is None:
        return None
    if keys.keyring_matches(path, key):
        return path
    if keys.keyring_matches(backup, key):
        return backup
    raise keys.NoKeyringError(
        N_(
            "No key file opens the backup {path}: put the key file that was copied "
            "with it beside it ({keys}), then restore again. Nothing was changed."
        ),
        path=str(backup),
        keys=str(keyring_path(backup)),
    )


def _install_keyring(source: Path | None, path: Path) -> None:
    if source is None:
        keys.remove_keyring(path)
    elif source != path:
        keys.copy_keyring(source, path)


def _copy_file_or_unreserve(source: Path, target: Path) -> None:
    """The register's bytes to ``target`` (a name ``dated_file`` reserved), whole or not
    at all. A plain file copy: the register is in rollback mode and locked exclusively
    by the restore, so no other connection, not even SQLite's backup, may read it.
    Checked by reading it back: SQLite's quick check for a plaintext register, the
    bytes themselves for an encrypted one (its key may not be at hand)."""
    try:
        with _partial(target) as partial:
            shutil.copyfile(source, partial)
            with partial.open("rb+") as f:
                os.fsync(f.fileno())
            if _is_plaintext(partial):
                check = connect(partial, read_only=True)
                try:
                    ok = check.execute("PRAGMA quick_check").fetchall() == [("ok",)]
                finally:
                    check.close()
            else:
                ok = _digest(partial) == _digest(source)
            if not ok:
                raise damaged_error(target, "the copy does not read back")
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _require_register(backup: Path, key: bytes | None = None) -> None:
    """Refuse, naming the file chosen, what no docassist wrote: another program's
    database (or an empty one) would be "restored" as an empty register, and one
    from a newer docassist cannot be read by this one."""
    conn = connect(backup, key, read_only=True)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = 'docassist'"
            )
        ]
    except engine.OperationalErrors:  # no such table: not ours
        names = []
    finally:
        conn.close()
    if not names:
        raise StoreError(
            N_("{path} is not a docassist register: choose a backup docassist made."),
            path=str(backup),
        )
    if any(name not in KNOWN for name in names):
        raise NewerDatabaseError(
            N_(
                "The backup {path} was written by a newer version of docassist. "
                "Install the newer version to restore it; nothing was changed."
            ),
            path=str(backup),
        )


def _hold_exclusive(path: Path, key: bytes | None = None) -> sqlite3.Connection:
    """A connection holding the register exclusively, for the caller to close once the
    register is replaced: no reader or writer (a program that opened it before the
    lock file, sqlite3 itself) gets in meanwhile.

    Leaving WAL mode needs the only connection to the file: an app that has the
    register open (even idle) keeps it from happening, and the restore is refused.
    The WAL is written into the register on the way, so the copy kept holds every
    last change."""
    conn = connect(path, key, timeout=0)
    try:
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        if mode == "delete":
            conn.execute("BEGIN EXCLUSIVE")
    except engine.OperationalErrors:
        mode = "busy"
    if mode != "delete":
        conn.close()
        raise StoreError(
            N_("The register {path} is open in docassist. Close the app, then restore."),
            path=str(path),
        )
    return conn


def encrypt_database(path: Path | str, key: bytes) -> None:
    """Turn the plaintext register at ``path`` into one encrypted with ``key``.

    The key file must already be beside it and wrap ``key`` (``keys.create_keyring``
    first): a register is never left encrypted under a key nobody holds. The register
    is taken over exclusively (refused while the app has it open), its bytes copied,
    and the copy encrypted by SQLCipher's export into a new file, which is then read
    back whole (every page's authentication code, SQLite's integrity check, the rows of
    every table against the original's). Only then does it replace the register, in one
    rename; the plaintext copy, -wal and -shm are deleted. On any failure before that
    the register is left as it was, and the half-made files are deleted.

    The plaintext file's old blocks may remain on the disk until overwritten (a file
    system does not erase what it frees): the README says so.
    """
    path = Path(path).expanduser().absolute()
    require_register_file(path)  # plaintext: an encrypted one is refused as such
    if not keys.keyring_matches(path, key):
        raise keys.NoKeyringError(
            N_(
                "There is no key file for this key beside {path}: nothing was encrypted. "
                "Create the key file first."
            ),
            path=str(path),
        )
    findings = check_database(path)
    if findings:
        raise damaged_error(path, str(findings[0]))
    plain, encrypted = made = encryption_files(path)
    with restoring(path):
        with path.open("rb") as f:
            was_wal = f.read(20)[18] == 2  # the header's "write version": 2 is WAL
        held = _hold_exclusive(path)  # and the -wal written into the file on the way
        replaced = False
        try:
            _remove_with_side_files(made)
            # The bytes, not SQLite: the register is held exclusively through the
            # standard library, and SQLCipher must not open that same file (engine.py).
            with _partial(plain) as partial:
                shutil.copyfile(path, partial)
            # Made owner-only and empty first: SQLCipher would make it with the umask's
            # bits (and its -journal with the same).
            os.close(os.open(encrypted, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            _encrypt_and_check(plain, encrypted, key, path)
            with encrypted.open("rb+") as f:
                os.fsync(f.fileno())
            os.replace(encrypted, path)
            replaced = True
        finally:
            held.close()
            _remove_with_side_files(made)
            if not replaced and was_wal:
                # Back as it was: taking it over had left WAL mode.
                again = connect(path)
                try:
                    again.execute("PRAGMA journal_mode = WAL")
                finally:
                    again.close()
    for side in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + side).unlink(missing_ok=True)


def _copy_failed() -> tuple[type[Exception], ...]:
    return (StoreError, *engine.DatabaseErrors)  # read when caught (store/engine.py)


def _encrypt_and_check(plain: Path, encrypted: Path, key: bytes, register: Path) -> None:
    """``plain`` exported into ``encrypted`` and read back afresh, page by page and
    table by table; EncryptionFailedError (or the disk's own error) if anything is off."""
    try:
        expected = engine.export_encrypted(plain, encrypted, key)
        check = connect(encrypted, key)
        try:
            problems = _encrypted_problems(check)
            found = engine.row_counts(check) if not problems else expected
        finally:
            check.close()
    except _copy_failed() as err:
        known = explain_database_error(err, encrypted)
        if known is not None and not isinstance(known, DamagedDatabaseError):
            raise known from err  # a full disk, a read-only folder: said as such
        raise EncryptionFailedError(_NOT_ENCRYPTED, path=str(register), detail=str(err)) from err
    if not problems and found != expected:
        problems = [
            f"rows of {t}: {found.get(t)} instead of {expected.get(t)}"
            for t in sorted(expected.keys() | found.keys())
            if found.get(t) != expected.get(t)
        ]
    if problems:
        raise EncryptionFailedError(_NOT_ENCRYPTED, path=str(register), detail=problems[0])


def _remove_with_side_files(files: tuple[Path, ...]) -> None:
    for file in files:
        for side in ("", "-wal", "-shm", "-journal"):
            file.with_name(file.name + side).unlink(missing_ok=True)
        lock_file(file).unlink(missing_ok=True)
