"""``docassist db check|backup|restore``: the register as a file, never opened for use.

These work on the file itself (a damaged or foreign register must still be checked,
copied and replaced), so they name it with ``db_path`` but do not open it.
"""

from __future__ import annotations

import argparse
import sys

from docassist.cli.register import db_path
from docassist.i18n import _

NAME = "db"


def add_parser(sub: argparse._SubParsersAction, codes: list[str]) -> None:
    db = sub.add_parser(NAME, help=_("database maintenance"))
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("check", help=_("check the database file for damage"))
    backup = db_sub.add_parser("backup", help=_("copy the register to a safe place"))
    backup.add_argument(
        "--output", metavar="PATH", help=_("file or folder (default: the backups folder)")
    )
    restore = db_sub.add_parser(
        "restore", help=_("put a backup in place of the register (the old one is kept)")
    )
    restore.add_argument("backup", metavar="FILE")


def run(args: argparse.Namespace) -> int:
    from docassist.services import backups
    from docassist.store.db import check_database

    path = db_path(args)
    if args.db_command == "backup":
        written = backups.make_backup(path, args.output)
        print(_("Backup saved to {path}").format(path=written))
        print(_("It holds personal data: keep it as safe as the laptop itself."))
        return 0
    if args.db_command == "restore":
        kept = backups.restore_backup(args.backup, path)
        print(
            _("{path} now holds the register from {backup}.").format(path=path, backup=args.backup)
        )
        if kept:
            print(_("The register it replaced is kept in {path}").format(path=kept))
        return 0
    findings = check_database(path)
    if findings:
        for line in findings:
            print(f"{path}: {line}", file=sys.stderr)
        return 1
    print(_("{path}: no damage found.").format(path=path))
    return 0
