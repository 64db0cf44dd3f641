"""``docassist users list|reset-passphrase|works-in``: the accounts, as a coordinator
manages them from the command line (the app's Users screen, Ctrl+T, does the same on
screen, but for ``works-in``).

``users works-in NAME MUNICIPALITY ...`` sets where a facilitator works: the hub gives
their laptop the households of those municipalities (with the cases assigned to them
and the shared records). Without municipalities it says where they work now.

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
    works_in = users_sub.add_parser(
        "works-in",
        help=_(
            "set the municipalities whose households a facilitator's laptop receives "
            "from the hub; without any, say which they are now"
        ),
    )
    works_in.add_argument("name", metavar="NAME", help=_("whose municipalities"))
    works_in.add_argument(
        "municipalities",
        metavar="MUNICIPALITY",
        nargs="*",
        help=_("each municipality they work in (quoted if it has a space)"),
    )
    works_in.add_argument(
        "--none", action="store_true", help=_("they work in no municipality any more")
    )
    add_sign_in_options(works_in)


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


def _works_in(args: argparse.Namespace) -> int:
    from docassist.cli.errors import UsageError
    from docassist.cli.register import open_signed_in
    from docassist.domain.model import Role
    from docassist.services import accounts, places, scopes

    if args.none and args.municipalities:
        raise UsageError(_("Give municipalities or --none, not both."))
    ctx, session, _passphrase = open_signed_in(args, accounts.Action.MANAGE_ACCOUNTS)
    try:
        account = accounts.account_named(ctx, session, args.name)
        # a place the register knows is kept as the register spells it ("nis": Niš)
        known = {p.key: p.name for p in places.municipalities(ctx)}
        before = scopes.scopes_of(ctx, account.id)
        if args.none or args.municipalities:
            wanted = [known.get(places.place_key(m), m) for m in args.municipalities]
            scopes.set_scopes(ctx, account.id, wanted)
        now = scopes.scopes_of(ctx, account.id)
    finally:
        ctx.db.close()
    if not now:
        print(_("{name} works in no municipality.").format(name=account.name))
    else:
        print(_("{name} works in: {places}.").format(name=account.name, places=", ".join(now)))
    # a municipality no household names is most likely a typing mistake
    for name in now:
        if places.place_key(name) not in known:
            print(
                _("No household in this register is in {place}: check its spelling.").format(
                    place=name
                )
            )
    if account.role in (Role.COORDINATOR, Role.ADMIN):
        print(_("A coordinator's laptop receives every household, wherever they work."))
    elif now != before:
        print(_("Their laptop receives the change at its next sync, after this laptop's."))
    return 0


def run(args: argparse.Namespace) -> int:
    if args.users_command == "reset-passphrase":
        return _reset(args)
    if args.users_command == "works-in":
        return _works_in(args)
    return _list(args)
