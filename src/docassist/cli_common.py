"""What the sub-command modules share: the usage error, and finding the register and
the user a command runs as."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from docassist import locations
from docassist.i18n import _

if TYPE_CHECKING:
    from sqlite_utils import Database

    from docassist.services.context import Context
    from docassist.services.users import User


class UsageError(Exception):
    """A mistake on the command line, already worded for the user."""


def db_path(args: argparse.Namespace) -> Path:
    return Path(args.db).expanduser() if args.db else locations.default_database()


def open_register(args: argparse.Namespace) -> Database:
    from docassist.store.db import open_database

    # Reading a report must not leave an empty register behind a mistyped --db.
    return open_database(db_path(args), create=False)


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
