"""``docassist users list|reset-passphrase``: the accounts, as a coordinator manages
them from the command line (the app's Users screen, Ctrl+T, does the same on screen).

After ``docassist db encrypt`` the other accounts cannot open the register until a
coordinator gives each a passphrase: ``users list`` says who waits, and ``users
reset-passphrase NAME`` gives one, which that user replaces with their own at their
next sign-in. Who may do it is decided in ``services.accounts`` (coordinators); the
new passphrase comes from ``--new-passphrase-file`` or DOCASSIST_NEW_PASSPHRASE, else
it is typed twice without echo (never the coordinator's own, which signs them in).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from docassist.cli.register import add_sign_in_options
from docassist.i18n import _

NAME = "users"
NEW_PASSPHRASE_ENV = "DOCASSIST_NEW_PASSPHRASE"


def add_parser(sub: argparse._SubParsersAction, codes: list[str]) -> None:
    users = sub.add_parser(NAME, help=_("the register's accounts (coordinators)"))
    users_sub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    listing = users_sub.add_parser(
        "list", help=_("every account, its role, and whether it can sign in")
    )
    add_sign_in_options(listing)
    reset = users_sub.add_parser(
        "reset-passphrase",
        help=_("give an account a new passphrase, which its user replaces at the next sign-in"),
    )
    reset.add_argument("name", metavar="NAME", help=_("whose passphrase is reset"))
    reset.add_argument(
        "--new-passphrase-file",
        metavar="FILE",
        help=_(
            "read the new passphrase from the first line of FILE (or set {env}); without "
            "either it is typed twice, without echo"
        ).format(env=NEW_PASSPHRASE_ENV),
    )
    add_sign_in_options(reset)


def _given_new(args: argparse.Namespace) -> str | None:
    from docassist.cli.register import read_passphrase_file

    if args.new_passphrase_file:
        return read_passphrase_file(Path(args.new_passphrase_file).expanduser())
    return os.environ.get(NEW_PASSPHRASE_ENV) or None


def _reset(args: argparse.Namespace) -> int:
    from docassist.cli.register import new_passphrase, open_signed_in
    from docassist.services import accounts

    ctx, session, _passphrase = open_signed_in(args, accounts.Action.MANAGE_ACCOUNTS)
    try:
        account = accounts.account_named(ctx, session, args.name)
        new = new_passphrase(
            args,
            account.name,
            _("The new passphrase for {name} (at least {n} characters):").format(
                name=account.name, n=accounts.MIN_PASSPHRASE_LENGTH
            ),
            given=_given_new,
            not_given=lambda: _(
                "A new passphrase is needed: type it at a terminal, or give it with "
                "{env} or --new-passphrase-file FILE."
            ).format(env=NEW_PASSPHRASE_ENV),
        )
        accounts.reset_passphrase(ctx, session, account.id, new)
    finally:
        ctx.db.close()
    print(
        _(
            "{name}'s passphrase is reset. Give it to them in person: they sign in with it "
            "once, then choose their own."
        ).format(name=account.name)
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    from docassist.cli.register import open_signed_in
    from docassist.domain.model import ROLE_LABELS
    from docassist.services import accounts

    ctx, session, _passphrase = open_signed_in(args)
    try:
        found = accounts.list_accounts(ctx, session)
        encrypted = ctx.db_key is not None
    finally:
        ctx.db.close()
    for account in found:
        if not account.has_passphrase and encrypted:
            standing = _("cannot sign in: waits for a coordinator to reset its passphrase")
        elif not account.has_passphrase:
            standing = _("has no passphrase yet: chooses one at the next sign-in")
        elif account.must_change_passphrase:
            standing = _("chooses its own passphrase at the next sign-in")
        else:
            standing = _("signs in")
        print(f"{account.name}\t{_(ROLE_LABELS[account.role])}\t{standing}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.users_command == "reset-passphrase":
        return _reset(args)
    return _list(args)
