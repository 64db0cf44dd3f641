"""The one way a sub-command finds and opens the register, and the user it runs as.

Only ``demo`` (and the app itself, which opens its own) may create a register: a
mistyped ``--db`` must not become a new, empty register that a report then reads
as "no families" or that every imported row looks new against.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from docassist import locations
from docassist.cli.errors import UsageError
from docassist.i18n import _

if TYPE_CHECKING:
    from docassist.services.context import Context
    from docassist.services.users import User


def db_path(args: argparse.Namespace) -> Path:
    """The register named by ``--db``, else the real one in the user's data folder."""
    return Path(args.db).expanduser() if args.db else locations.default_database()


def require_register_folder(args: argparse.Namespace) -> Path:
    """The app's register: a new one is made on first start, but only in a folder that
    exists. A ``--db`` (or DOCASSIST_DB) naming a missing folder is a typing mistake,
    not a wish for a new empty register; the default folder is made as needed."""
    path = db_path(args)
    if path != locations.data_dir() / "docassist.db" and not path.parent.is_dir():
        raise UsageError(
            _("There is no folder {folder} for the register {path}: nothing was opened.").format(
                folder=path.parent, path=path
            )
        )
    return path


def demo_path(args: argparse.Namespace) -> Path:
    """The demo's own file: ``--db`` names it too, else the demo file beside the register."""
    return Path(args.db).expanduser() if args.db else locations.demo_database()


def register_path(args: argparse.Namespace) -> Path:
    """The database file the command works on (the demo's file for ``demo``)."""
    return demo_path(args) if args.command == "demo" else db_path(args)


def output_path(args: argparse.Namespace, value: str | None) -> str | None:
    """``--output`` as given, once it is known not to be the register, its -wal or -shm,
    or a backup: what every command that writes a file calls first."""
    from docassist.store.db import refuse_overwrite

    if value:
        refuse_overwrite(value, register_path(args), (locations.backups_dir(),))
    return value


@contextmanager
def register(args: argparse.Namespace, *, create: bool = False) -> Iterator[Context]:
    """The command's register, open for the block, closed after it whatever happens.

    ``create``: make a new register where none is; only ``demo`` asks for it.
    """
    from docassist.services.context import Context
    from docassist.store.db import open_database

    db = open_database(register_path(args), create=create)
    try:
        yield Context(db)
    finally:
        db.close()


def find_user(ctx: Context, wanted: str) -> User:
    """The user a command runs as, by id or by name typed in either script."""
    from docassist.domain import script
    from docassist.services import users

    everyone = users.list_users(ctx)
    for user in everyone:
        if user.id == wanted:
            return user
    matches = [u for u in everyone if script.search_key(u.name) == script.search_key(wanted)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UsageError(
            _("Several users are called '{name}'. Give the id instead: {ids}").format(
                name=wanted, ids=", ".join(u.id for u in matches)
            )
        )
    raise UsageError(
        _("There is no user '{name}'. The users are: {users}.").format(
            name=wanted, users=", ".join(u.name for u in everyone) or "-"
        )
    )
