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
    backup.add_argument("--user", metavar="NAME_OR_ID", help=_("who makes it (for the record)"))
    restore = db_sub.add_parser(
        "restore", help=_("put a backup in place of the register (the old one is kept)")
    )
    restore.add_argument("backup", metavar="FILE")


def _user_id(args: argparse.Namespace) -> str | None:
    """The --user given, looked up in the register (opened only for that)."""
    if not args.user:
        return None
    from docassist.cli.register import find_user, register

    with register(args) as ctx:
        return find_user(ctx, args.user).id


def run(args: argparse.Namespace) -> int:
    from docassist.services import backups
    from docassist.store.db import check_register, count_records

    path = db_path(args)
    if args.db_command == "backup":
        written = backups.make_backup(path, args.output, _user_id(args))
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
    result = check_register(path)
    if result.findings:
        for line in result.findings:
            said = line if isinstance(line, str) else line.render(_)
            print(f"{path}: {said}", file=sys.stderr)
        return 1
    counts = count_records(path)
    if counts is None:
        print(_("{path}: no damage found.").format(path=path))
    else:
        print(_("{path}: {counts}: no damage found.").format(path=path, counts=_say_counts(counts)))
    if result.audit is not None:
        # The newest hash is what an edit that recomputed the whole chain cannot
        # keep: compared with one written down earlier, or a backup's, it shows that.
        print(
            _(
                "The audit trail verifies up to entry {id} of {at}; its fingerprint is "
                "{fingerprint} (compare it with an earlier check or a backup)."
            ).format(id=result.audit.id, at=result.audit.at, fingerprint=result.audit.fingerprint)
        )
    return 0


def _say_counts(counts: dict[str, int]) -> str:
    """ "1,204 households, 4,870 people, ...", numbers in the language's own way."""
    from docassist.i18n import format_number, ngettext

    words = {
        "households": ngettext("{n} household", "{n} households", counts["households"]),
        "persons": ngettext("{n} person", "{n} people", counts["persons"]),
        "cases": ngettext("{n} case", "{n} cases", counts["cases"]),
        "case_steps": ngettext("{n} step", "{n} steps", counts["case_steps"]),
        "audit_log": ngettext("{n} audit entry", "{n} audit entries", counts["audit_log"]),
    }
    return ", ".join(words[t].format(n=format_number(counts[t])) for t in words)
