"""Back up the register and restore it, each recorded in the audit trail.

A backup holds every family's personal data, like a full export: the trail says
when one was made and where it went. A restore says what it came from, and where
the register it replaced was kept.
"""

from __future__ import annotations

from pathlib import Path

from docassist import locations
from docassist.services.context import Context
from docassist.store.backup import backup_database, clean_leftovers, restore_database
from docassist.store.db import open_database


def make_backup(
    path: Path | str, target: Path | str | None = None, user_id: str | None = None
) -> Path:
    """Copy the register at ``path`` to ``target`` (default: the backups folder).

    The entry is written first, so the copy carries the record of its own making
    (and a register restored from it still knows it was backed up); a failed copy
    leaves an entry for a file that never appeared: the trail may over-report,
    never miss a copy of personal data. ``user_id``: who made it, when known.
    """
    where = Path(target) if target else locations.backups_dir()
    _record(path, "backup", {"to": str(where.expanduser().absolute())}, user_id)
    # docassist's own backups folder is made owner-only even if it was there before;
    # a folder the user named is only made so when it is new.
    return backup_database(path, where, fix_folder=not target)


def clean_backups_folder() -> list[Path]:
    """At start: delete the half-written copies a killed backup left in the backups
    folder (each a full copy of the register that nobody knows about)."""
    return clean_leftovers(locations.backups_dir())


def restore_backup(backup: Path | str, path: Path | str, user_id: str | None = None) -> Path | None:
    """Put ``backup`` in place of the register at ``path``; return where the replaced
    register was kept (None when there was none). ``user_id``: who restored it."""
    kept = restore_database(backup, path, locations.backups_dir())
    _record(
        path,
        "restore",
        {"from": str(Path(backup).expanduser().absolute()), "kept": str(kept) if kept else None},
        user_id,
    )
    return kept


def _record(
    path: Path | str, action: str, after: dict[str, str | None], user_id: str | None = None
) -> None:
    db = open_database(path, create=False)
    try:
        ctx = Context(db, user_id=user_id)
        with ctx.use_case():
            ctx.audit(action, "register", "whole", after=after)
    finally:
        db.close()
