"""Back up the register and restore it, each recorded in the audit trail.

A backup holds every family's personal data, like a full export: the trail says
when one was made and where it went. A restore says what it came from, and where
the register it replaced was kept.

A backup of an encrypted register is encrypted with the same key, read back page by
page, and has the key file copied beside it (store/backup.py): it opens with a
passphrase valid when it was made, or with the recovery key. ``restore_keys`` finds
the keys a restore needs from a sign-in or the recovery key.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from docassist import locations
from docassist.services import accounts, erasure
from docassist.services.context import Context, real_now
from docassist.store import engine, keys, outbox
from docassist.store.backup import (
    backup_database,
    backup_folder,
    clean_leftovers,
    restore_database,
)
from docassist.store.db import StoreError, device_id, open_database


def make_backup(
    path: Path | str,
    target: Path | str | None = None,
    user_id: str | None = None,
    *,
    key: bytes | None = None,
) -> Path:
    """Copy the register at ``path`` to ``target`` (default: the backups folder).

    The entry is written first, so the copy carries the record of its own making
    (and a register restored from it still knows it was backed up); a failed copy
    leaves an entry for a file that never appeared: the trail may over-report,
    never miss a copy of personal data. ``user_id``: who made it, when known.
    ``key``: an encrypted register's (the copy is encrypted with it).
    """
    where = _backup_place(target)
    _record(path, "backup", {"to": str(where.expanduser().absolute())}, user_id, key)
    # docassist's own backups folder is made owner-only even if it was there before;
    # a folder the user named is left as it is (and never made).
    return backup_database(path, where, key, fix_folder=not target)


def backup_register(ctx: Context, target: Path | str | None = None) -> Path:
    """``make_backup`` of the register open in ``ctx``, by its signed-in user, with its
    key when it is encrypted (the app and ``docassist db backup``)."""
    path = _file_of(ctx)
    where = _backup_place(target)
    with ctx.use_case():
        ctx.audit("backup", "register", "whole", after={"to": str(where.expanduser().absolute())})
    return backup_database(path, where, ctx.db_key, fix_folder=not target)


def _backup_place(target: Path | str | None) -> Path:
    """Where a backup goes: the place the user named, else docassist's own backups
    folder, made if missing. A folder the user named is never made (a stick not
    plugged in must not get its folders on this disk), and is checked before the
    audit entry: a copy refused from the start is no copy to record."""
    if not target:
        return locations.default_folder(locations.backups_dir())
    locations.chosen_folder(backup_folder(Path(target)))
    return Path(target)


def clean_backups_folder() -> list[Path]:
    """At start: delete the half-written copies a killed backup left in the backups
    folder (each a full copy of the register that nobody knows about)."""
    return clean_leftovers(locations.backups_dir())


@dataclass(frozen=True)
class RestoreKeys:
    """Who restores (None: nobody signed in: the recovery key, or files that hold no
    passphrases) and the keys of the backup and of the register it replaces (None:
    plaintext, or not there)."""

    user_id: str | None
    key: bytes | None = field(default=None, repr=False)
    register_key: bytes | None = field(default=None, repr=False)
    with_recovery_key: bool = False


def restore_keys(
    backup: Path | str,
    path: Path | str,
    *,
    name: Callable[[], str],
    passphrase: Callable[[], str],
    recovery_key: str | None = None,
    now: Callable[[], str] = real_now,
) -> RestoreKeys:
    """What ``restore_backup`` needs, found without writing to either file.

    With a passphrase: a coordinator signs in to the register being replaced or, when
    that one is missing, damaged or holds no passphrases, to the backup (a new laptop).
    An encrypted backup opens with the register's key when it is the same register's
    (its key file wraps the same key), else with the passphrase as it was when the
    backup was made. With ``recovery_key``: each encrypted file's own key file, or the
    register's key for a backup of the same register. ``name`` and ``passphrase`` are
    asked only when needed.
    """
    backup = Path(backup).expanduser()
    path = Path(path).expanduser()
    encrypted_backup = _encrypted(backup)
    if recovery_key is not None:
        return _keys_from_recovery(backup, path, recovery_key, encrypted_backup)
    access = None
    for file in (path, backup):
        try:
            found = accounts.verify_file(file, name, passphrase, now=now)
        except StoreError:  # missing, damaged, not a register: the restore says why
            continue
        except engine.DatabaseErrors:  # too damaged to say who its users are
            continue
        if found.session is not None:
            accounts.require(found.session, accounts.Action.RESTORE_BACKUP)
            access = (file, found)
            break
    if access is None:
        return RestoreKeys(None)  # neither file protects anything by passphrase
    file, found = access
    user = found.session.user_id if found.session else None
    if file == backup:  # the register is not there, or says nothing about who may
        return RestoreKeys(user, found.db_key, None)
    register_key = found.db_key
    if not encrypted_backup:
        return RestoreKeys(user, None, register_key)
    key: bytes | None
    if register_key is not None and (
        keys.keyring_matches(backup, register_key) or not keys.has_keyring(backup)
    ):
        key = register_key  # a backup of this register: the same key opens it
    else:  # another register's backup, or one from before this register was encrypted
        key = accounts.verify_file(backup, name, passphrase, now=now).db_key
    return RestoreKeys(user, key, register_key)


def _keys_from_recovery(
    backup: Path, path: Path, recovery_key: str, encrypted_backup: bool
) -> RestoreKeys:
    register_key = None
    if _encrypted(path):
        try:
            register_key = accounts.unlock_with_recovery_key(path, recovery_key)
        except keys.RecoveryKeyError:
            if not encrypted_backup:
                raise
    if not encrypted_backup:
        if register_key is None:
            # Neither file is encrypted: there is nothing a recovery key opens.
            accounts.unlock_with_recovery_key(backup, recovery_key)
        return RestoreKeys(None, None, register_key, with_recovery_key=True)
    try:
        key = accounts.unlock_with_recovery_key(backup, recovery_key)
    except keys.RecoveryKeyError:
        # A recovery key replaced since the backup was made: the register's key opens it
        # when both are the same register's.
        if register_key is None or not keys.keyring_matches(backup, register_key):
            raise
        key = register_key
    return RestoreKeys(None, key, register_key, with_recovery_key=True)


@dataclass(frozen=True)
class Restored:
    """What a restore did: where the replaced register was kept (None: there was none),
    and how many people erased in it were erased again in the restored copy."""

    kept: Path | None
    erased_again: int = 0


def restore_backup(
    backup: Path | str,
    path: Path | str,
    user_id: str | None = None,
    *,
    key: bytes | None = None,
    register_key: bytes | None = None,
    with_recovery_key: bool = False,
) -> Restored:
    """Put ``backup`` in place of the register at ``path``. ``user_id``: who restored it.
    ``key`` / ``register_key``: of an encrypted backup / register (``restore_keys``).

    Erasures survive it: whoever the replaced register erased is erased again in the
    backup's copy before that copy becomes the register (services/erasure.py)."""
    erased_again = 0

    def carry_erasures(held: sqlite3.Connection, copy: Path) -> None:
        nonlocal erased_again
        erased = erasure.erased_in(held)
        if not erased.persons and not erased.households:
            return
        db = open_database(copy, create=False, quick_check=False, key=key)
        try:
            known = user_id is not None and bool(
                db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone()
            )
            # The restorer may be newer than the backup: the entries then name nobody.
            ctx = Context(db, user_id=user_id if known else None, db_key=key)
            erased_again = erasure.reapply(ctx, erased)
        finally:
            db.close()

    kept = restore_database(
        backup,
        path,
        locations.backups_dir(),
        key,
        register_key=register_key,
        before_replace=carry_erasures,
    )
    after: dict[str, str | None] = {
        "from": str(Path(backup).expanduser().absolute()),
        "kept": str(kept) if kept else None,
    }
    if with_recovery_key:
        after["with"] = "recovery key"
    if erased_again:
        after["erased_again"] = str(erased_again)
    _record(path, "restore", after, user_id, key)
    return Restored(kept, erased_again)


def _record(
    path: Path | str,
    action: str,
    after: dict[str, str | None],
    user_id: str | None = None,
    key: bytes | None = None,
) -> None:
    db = open_database(path, create=False, key=key)
    try:
        ctx = Context(db, user_id=user_id, db_key=key)
        with ctx.use_case():
            if action == "restore":
                # a restored register goes on under a new device id, so what it does
                # next is not taken for the lost laptop's later work (outbox.renew_device)
                after = {**after, "previous_device": device_id(db)}
                after["device"] = outbox.renew_device(db)
            ctx.audit(action, "register", "whole", after=after)
    finally:
        db.close()


def _encrypted(path: Path) -> bool:
    """An encrypted register or backup: random first bytes and a key file beside."""
    if not path.is_file():
        return False
    return engine.header(path) is engine.Header.OTHER and keys.has_keyring(path)


def _file_of(ctx: Context) -> Path:
    for _seq, name, file in ctx.db.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return Path(file)
    raise ValueError("a register in memory has no file to back up")
