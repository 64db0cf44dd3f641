"""``docassist db check|backup|restore|encrypt|recover``: the register as a file.

Check and restore work on the file itself (a damaged or foreign register must still be
checked and replaced), so they name it with ``db_path`` but do not open it for use.

Each signs in all the same: a backup signs in to the register it copies. A check and a
restore only read the file before they act, so their sign-in is checked, not recorded
(the restore's own audit entry says who): a restore (a coordinator's) signs in to the
register it replaces or, when that one cannot be read, to the backup. On an encrypted
register or backup, ``--recovery-key-file`` opens it instead of a sign-in.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docassist.cli.register import (
    add_recovery_key_option,
    add_sign_in_options,
    db_path,
    recovery_key_for,
)
from docassist.i18n import _, format_number, ngettext

NAME = "db"


def add_parser(sub: argparse._SubParsersAction, codes: list[str]) -> None:
    db = sub.add_parser(NAME, help=_("database maintenance"))
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    check = db_sub.add_parser("check", help=_("check the database file for damage"))
    add_sign_in_options(check)
    add_recovery_key_option(check)
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
    add_recovery_key_option(restore)
    encrypt = db_sub.add_parser(
        "encrypt", help=_("encrypt a register made before encryption (a coordinator)")
    )
    add_sign_in_options(encrypt)
    recover = db_sub.add_parser(
        "recover", help=_("set a forgotten passphrase anew with the recovery key")
    )
    recover.add_argument(
        "--user", metavar="NAME", required=True, help=_("whose passphrase is set anew")
    )
    recover.add_argument(
        "--recovery-key-file",
        metavar="FILE",
        help=_("read the recovery key from FILE (without it, it is typed without echo)"),
    )
    recover.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help=_(
            "read the new passphrase from the first line of FILE (or set "
            "DOCASSIST_PASSPHRASE); without either it is typed twice, without echo"
        ),
    )


def _restore(args: argparse.Namespace, path: Path) -> int:
    """A coordinator of the register replaced or, when that one cannot be read or holds
    no passphrases, of the backup (the register it becomes), or the recovery key. Both
    files are only read first: a refused restore leaves the register as it was, to the
    byte."""
    from docassist.cli.register import passphrase_for, user_name
    from docassist.services import backups
    from docassist.services.made_up import is_demo_file

    backup = Path(args.backup).expanduser()
    found = backups.restore_keys(
        backup,
        path,
        name=lambda: user_name(args),
        passphrase=lambda: passphrase_for(
            args, user_name(args), demo=is_demo_file(path) or is_demo_file(backup)
        ),
        recovery_key=recovery_key_for(args),
    )
    restored = backups.restore_backup(
        backup,
        path,
        found.user_id,
        key=found.key,
        register_key=found.register_key,
        with_recovery_key=found.with_recovery_key,
    )
    print(_("{path} now holds the register from {backup}.").format(path=path, backup=args.backup))
    if restored.kept:
        print(_("The register it replaced is kept in {path}").format(path=restored.kept))
    if restored.erased_again:
        print(
            ngettext(
                "{n} person erased since the backup was made was erased again.",
                "{n} people erased since the backup was made were erased again.",
                restored.erased_again,
            ).format(n=format_number(restored.erased_again))
        )
    if found.key is None and found.register_key is not None:
        print(
            _(
                "The backup was not encrypted, so neither is the register now: a coordinator "
                "encrypts it with `docassist db encrypt`."
            )
        )
    return 0


def _check(args: argparse.Namespace, path: Path) -> int:
    """A check reads what any register role may read; a file too damaged to say who its
    users are is checked all the same (that is what the check is for)."""
    from docassist.cli.register import sign_in_read_only
    from docassist.services import accounts
    from docassist.store.db import check_register, count_records, require_register_file

    kind = accounts.register_kind(path)  # a missing or foreign file is said as such first
    if kind is accounts.RegisterKind.NEW:
        require_register_file(path)
    recovery = recovery_key_for(args)
    key: bytes | None
    if recovery is not None:
        key = accounts.unlock_with_recovery_key(path, recovery)
    else:
        key = sign_in_read_only(args, path, accounts.Action.CHECK_REGISTER).db_key
    result = check_register(path, key)
    if result.findings:
        for line in result.findings:
            said = line if isinstance(line, str) else line.render(_)
            print(f"{path}: {said}", file=sys.stderr)
        return 1
    counts = count_records(path, key)
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
    if result.remote is not None:
        print(
            ngettext(
                "The audit trail of {n} other laptop ({entries} entries, from the hub or "
                "bundles) verifies, by its own chain.",
                "The audit trails of {n} other laptops ({entries} entries, from the hub or "
                "bundles) verify, each by its own chain.",
                result.remote.devices,
            ).format(n=result.remote.devices, entries=result.remote.count)
        )
        for start in result.remote.partial:
            # not a break: a bundle or the hub brings the rest (store/audit.py says why)
            print(
                _(
                    "The audit trail of laptop {device} is here from its entry {id} of {at} "
                    "on: the entries before it have not reached this register."
                ).format(device=start.device[:8], id=start.id, at=start.at)
            )
    return 0


def _encrypt(args: argparse.Namespace, path: Path) -> int:
    from docassist.cli.init import print_recovery_key
    from docassist.cli.register import open_signed_in
    from docassist.i18n import ngettext
    from docassist.services import accounts

    if accounts.register_kind(path) is accounts.RegisterKind.ENCRYPTED:
        print(_("The register {path} is already encrypted: nothing was changed.").format(path=path))
        return 0
    ctx, session, passphrase = open_signed_in(args, accounts.Action.ENCRYPT_REGISTER, notices=False)
    ctx.db.close()  # encrypting takes the register over: nothing may hold it open
    done = accounts.encrypt_register(path, session, passphrase)
    print(_("The register {path} is encrypted now.").format(path=path))
    print(_("{name} signs in with the same passphrase as before.").format(name=session.name))
    if done.waiting_for_a_reset:
        print(
            ngettext(
                "{n} other account cannot sign in until a coordinator resets its passphrase "
                "(the user then chooses their own at the next sign-in).",
                "{n} other accounts cannot sign in until a coordinator resets their passphrase "
                "(each user then chooses their own at the next sign-in).",
                done.waiting_for_a_reset,
            ).format(n=done.waiting_for_a_reset)
        )
        print(
            _(
                "A coordinator resets them with `docassist users reset-passphrase NAME` (or on "
                "the Users screen, Ctrl+T in the app); `docassist users list` shows who waits."
            )
        )
    print(
        _(
            "The disk may still hold the old, unencrypted bytes until they are written over: "
            "keep the laptop's own disk encryption on, and delete old unencrypted backups."
        )
    )
    print_recovery_key(done.recovery_key)
    return 0


def _recover(args: argparse.Namespace, path: Path) -> int:
    from docassist.cli.register import new_passphrase
    from docassist.services import accounts

    name = " ".join(args.user.split())
    accounts.require_encrypted(path)  # said before anything is asked
    recovery = recovery_key_for(args, ask=True)
    assert recovery is not None
    accounts.unlock_with_recovery_key(path, recovery)  # a wrong key is said before asking more
    new = new_passphrase(
        args,
        name,
        _("Choose the new passphrase for {name} (at least {n} characters).").format(
            name=name, n=accounts.MIN_PASSPHRASE_LENGTH
        ),
    )
    account = accounts.recover_passphrase(path, recovery, name, new)
    print(_("{name}'s passphrase is set: sign in with it from now on.").format(name=account))
    return 0


def run(args: argparse.Namespace) -> int:
    from docassist.cli.register import signed_in
    from docassist.services import backups
    from docassist.services.accounts import Action
    from docassist.store.db import keyring_path

    path = db_path(args)
    if args.db_command == "backup":
        with signed_in(args, Action.MAKE_BACKUP) as ctx:
            written = backups.backup_register(ctx, args.output)
        print(_("Backup saved to {path}").format(path=written))
        if ctx.db_key is not None:
            print(
                _(
                    "It is encrypted, with its key file beside it ({keys}): copy both. It "
                    "opens with a passphrase valid today, or with the recovery key."
                ).format(keys=keyring_path(written))
            )
        print(_("It holds personal data: keep it as safe as the laptop itself."))
        return 0
    if args.db_command == "restore":
        return _restore(args, path)
    if args.db_command == "encrypt":
        return _encrypt(args, path)
    if args.db_command == "recover":
        return _recover(args, path)
    return _check(args, path)


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
