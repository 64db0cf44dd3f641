"""``docassist db check|backup|restore``: the register as a file, never opened for use.

These work on the file itself (a damaged or foreign register must still be checked,
copied and replaced), so they name it with ``db_path`` but do not open it for use.

Each signs in all the same (``register``): a backup signs in to the register it
copies. A check and a restore only read the file before they act, so their sign-in is
checked, not recorded (the restore's own audit entry says who): a restore (a
coordinator's) signs in to the register it replaces or, when that one cannot be read,
to the backup.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docassist.cli.register import add_sign_in_options, db_path
from docassist.i18n import _

NAME = "db"


def add_parser(sub: argparse._SubParsersAction, codes: list[str]) -> None:
    db = sub.add_parser(NAME, help=_("database maintenance"))
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    check = db_sub.add_parser("check", help=_("check the database file for damage"))
    add_sign_in_options(check)
    backup = db_sub.add_parser("backup", help=_("copy the register to a safe place"))
    backup.add_argument(
        "--output", metavar="PATH", help=_("file or folder (default: the backups folder)")
    )
    add_sign_in_options(backup)
    restore = db_sub.add_parser(
        "restore", help=_("put a backup in place of the register (the old one is kept)")
    )
    restore.add_argument("backup", metavar="FILE")
    add_sign_in_options(restore)


def _backup_user(args: argparse.Namespace) -> str:
    """Who makes the backup, signed in to the register it copies."""
    from docassist.cli.register import signed_in
    from docassist.services.accounts import Action

    with signed_in(args, Action.MAKE_BACKUP) as ctx:
        assert ctx.user_id is not None  # signed in as a register role
        return ctx.user_id


def _restore_user(args: argparse.Namespace) -> str | None:
    """Who restores: a coordinator of the register replaced or, when that one cannot be
    read or holds no passphrases, of the backup (the register it becomes). Both only
    read: a refused restore leaves the register as it was, to the byte."""
    from docassist.cli.register import sign_in_read_only
    from docassist.services.accounts import Action
    from docassist.store.db import StoreError

    for file in (db_path(args), Path(args.backup).expanduser()):
        try:
            session = sign_in_read_only(args, file, Action.RESTORE_BACKUP)
        except StoreError:  # missing, damaged, not a register: the restore says why
            continue
        if session is not None:
            return session.user_id
    return None


def _check_sign_in(args: argparse.Namespace, path: Path) -> None:
    """A check reads what any register role may read; a file too damaged to say who
    its users are is checked all the same (that is what the check is for)."""
    # (sign_in_read_only answers None for such a file)
    from docassist.cli.register import sign_in_read_only
    from docassist.services.accounts import Action

    sign_in_read_only(args, path, Action.CHECK_REGISTER)


def run(args: argparse.Namespace) -> int:
    from docassist.services import backups
    from docassist.store.db import check_register, count_records, require_register_file

    path = db_path(args)
    if args.db_command == "backup":
        written = backups.make_backup(path, args.output, _backup_user(args))
        print(_("Backup saved to {path}").format(path=written))
        print(_("It holds personal data: keep it as safe as the laptop itself."))
        return 0
    if args.db_command == "restore":
        kept = backups.restore_backup(args.backup, path, _restore_user(args))
        print(
            _("{path} now holds the register from {backup}.").format(path=path, backup=args.backup)
        )
        if kept:
            print(_("The register it replaced is kept in {path}").format(path=kept))
        return 0
    require_register_file(path)  # a missing or foreign file is said as such first
    _check_sign_in(args, path)
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
