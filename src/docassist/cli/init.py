"""``docassist init --user NAME``: a new, encrypted register with its first coordinator,
and the recovery key, printed this once."""

from __future__ import annotations

import argparse
import os

from docassist.cli.errors import UsageError
from docassist.cli.register import add_sign_in_options, db_path, new_passphrase
from docassist.i18n import _

NAME = "init"


def add_parser(sub: argparse._SubParsersAction, codes: list[str]) -> None:
    init = sub.add_parser(NAME, help=_("make a new register, with you as its first coordinator"))
    add_sign_in_options(init)


def run(args: argparse.Namespace) -> int:
    from docassist import locations
    from docassist.cli.register import USER_ENV
    from docassist.services import accounts

    path = db_path(args)
    # Refused before any passphrase is asked: a register is never made twice.
    if path.exists() or path.is_symlink():
        raise UsageError(
            _(
                "There is already a file at {path}: a new register is made only where none is."
            ).format(path=path)
        )
    if path.parent != locations.data_dir() and not path.parent.is_dir():
        raise UsageError(
            _("There is no folder {folder} for the register {path}: nothing was made.").format(
                folder=path.parent, path=path
            )
        )
    name = " ".join((args.user or os.environ.get(USER_ENV, "")).split())
    if not name:
        raise UsageError(_("Say who the first coordinator is: --user NAME."))
    passphrase = new_passphrase(
        args,
        name,
        _("Choose your passphrase (at least {n} characters): you sign in with it.").format(
            n=accounts.MIN_PASSPHRASE_LENGTH
        ),
    )
    made = accounts.create_register(path, name, passphrase)
    made.context.db.close()
    print(
        _("A new register was made at {path}, with {name} as its coordinator.").format(
            path=path, name=made.session.name
        )
    )
    if made.recovery_key:
        print_recovery_key(made.recovery_key)
    return 0


def print_recovery_key(recovery_key: str) -> None:
    """The recovery key, shown this once (never logged, never stored), and what to do
    with it. On stdout, so that it can be sent to a printer: ``docassist init ... | lp``."""
    print()
    print(_("The register is encrypted. Its recovery key, shown only this once:"))
    print()
    print("    " + recovery_key)
    print()
    print(
        _(
            "Print it (or write it down) now and lock the paper away, apart from the laptop. "
            "It opens the register and its backups when every passphrase is forgotten "
            "(docassist db recover); anyone who has it can read every name in them."
        )
    )
