"""Copies of the register, and putting one back.

A laptop is stolen, a disk dies, a tired hand deletes the file: the families' records
must survive it. A backup is made with SQLite's own backup, which copies a consistent
state even while the app has the register open (the -wal file included). Restoring
first keeps the register it replaces, so a restore can itself be undone.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; leftovers are not cleaned there
    fcntl = None  # type: ignore[assignment]

from docassist.domain.text import N_
from docassist.locations import new_file
from docassist.store.db import (
    NewerDatabaseError,
    StoreError,
    check_database,
    damaged_error,
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
    target.parent.mkdir(parents=True, exist_ok=True)
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
        finally:
            os.close(fd)
    return removed


def _copy(source: Path, target: Path) -> None:
    """``source`` copied to ``target`` whole, or not at all (a temporary name first)."""
    with _partial(target) as partial:
        src = sqlite3.connect(str(source), isolation_level=None)
        try:
            dst = sqlite3.connect(str(partial), isolation_level=None)
            try:
                src.backup(dst)
                # A plain file that needs no -wal beside it: it can travel on a stick.
                dst.execute("PRAGMA journal_mode = DELETE")
                if dst.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                    raise damaged_error(target, "the copy does not read back")
            finally:
                dst.close()
        finally:
            src.close()


def backup_database(path: Path | str, target: Path) -> Path:
    """Copy the register at ``path`` to ``target``: a file, or a folder (an existing
    one, or a name without an extension) to put it in under a dated name."""
    path = Path(path).expanduser()
    require_register_file(path)
    target = Path(target).expanduser().absolute()
    if target.is_dir() or not target.suffix:  # "copies" names a folder, made if missing
        clean_leftovers(target)
        target = dated_file(target)
        _copy_or_unreserve(path, target)
        return target
    refuse_overwrite(target, path)
    _copy(path, target)
    return target


def _copy_or_unreserve(source: Path, target: Path) -> None:
    """``_copy`` onto a name ``dated_file`` reserved: a failed copy gives the name back."""
    try:
        _copy(source, target)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def restore_database(backup: Path | str, path: Path | str, keep_dir: Path) -> Path | None:
    """Put the copy ``backup`` in place of the register at ``path``.

    The backup is checked page by page and brought to this version's schema on a
    copy first; the register it replaces is kept in ``keep_dir`` (returned), so
    nothing is lost if the wrong file was chosen. Refused while the register is
    open in the app: replacing a file under a running program would lose its writes.
    """
    backup = Path(backup).expanduser().absolute()
    path = Path(path).expanduser().absolute()
    if not backup.exists():
        raise missing_error(backup)
    if backup.resolve() == path.resolve():
        raise StoreError(N_("That is the register itself: choose a backup file to restore."))
    findings = check_database(backup)
    if findings:
        raise damaged_error(backup, str(findings[0]))
    _require_register(backup)
    incoming = path.with_name(f".{path.name}.restoring")
    # Locked for the whole restore: an app or command opening the register now is
    # refused, instead of writing into the file about to be replaced.
    with restoring(path):
        incoming.unlink(missing_ok=True)
        try:
            _copy(backup, incoming)
            # Migrates the copy, and refuses a backup written by a newer docassist.
            open_database(incoming, quick_check=False).close()
            conn = sqlite3.connect(str(incoming), isolation_level=None)
            conn.execute("PRAGMA journal_mode = DELETE")
            conn.close()
            kept = None
            if path.exists() and path.stat().st_size:
                held = _hold_exclusive(path)
                try:
                    clean_leftovers(keep_dir)
                    kept = dated_file(keep_dir, "before-restore")
                    _copy_file_or_unreserve(path, kept)
                    for side in ("-wal", "-shm", "-journal"):
                        path.with_name(path.name + side).unlink(missing_ok=True)
                    os.replace(incoming, path)
                finally:
                    held.close()
            else:
                for side in ("-wal", "-shm", "-journal"):
                    path.with_name(path.name + side).unlink(missing_ok=True)
                os.replace(incoming, path)
        finally:
            for leftover in (incoming, lock_file(incoming)):
                leftover.unlink(missing_ok=True)
            for side in ("-wal", "-shm", "-journal"):
                incoming.with_name(incoming.name + side).unlink(missing_ok=True)
    return kept


def _copy_file_or_unreserve(source: Path, target: Path) -> None:
    """The register's bytes to ``target`` (a name ``dated_file`` reserved), whole or not
    at all. A plain file copy: the register is in rollback mode and locked exclusively
    by the restore, so no other connection, not even SQLite's backup, may read it."""
    try:
        with _partial(target) as partial:
            shutil.copyfile(source, partial)
            with partial.open("rb+") as f:
                os.fsync(f.fileno())
            check = sqlite3.connect(partial.as_uri() + "?mode=ro", uri=True)
            try:
                ok = check.execute("PRAGMA quick_check").fetchall() == [("ok",)]
            finally:
                check.close()
            if not ok:
                raise damaged_error(target, "the copy does not read back")
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _require_register(backup: Path) -> None:
    """Refuse, naming the file chosen, what no docassist wrote: another program's
    database (or an empty one) would be "restored" as an empty register, and one
    from a newer docassist cannot be read by this one."""
    uri = backup.resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = 'docassist'"
            )
        ]
    except sqlite3.OperationalError:  # no such table: not ours
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


def _hold_exclusive(path: Path) -> sqlite3.Connection:
    """A connection holding the register exclusively, for the caller to close once the
    register is replaced: no reader or writer (a program that opened it before the
    lock file, sqlite3 itself) gets in meanwhile.

    Leaving WAL mode needs the only connection to the file: an app that has the
    register open (even idle) keeps it from happening, and the restore is refused.
    The WAL is written into the register on the way, so the copy kept holds every
    last change."""
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=0)
    try:
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        if mode == "delete":
            conn.execute("BEGIN EXCLUSIVE")
    except sqlite3.OperationalError:
        mode = "busy"
    if mode != "delete":
        conn.close()
        raise StoreError(
            N_("The register {path} is open in docassist. Close the app, then restore."),
            path=str(path),
        )
    return conn
