"""``docassist hub init|upgrade|connect|join|devices|revoke``: the organisation's hub
(a PostgreSQL database).

A DSN is a PostgreSQL address, ``postgresql://USER:PASSWORD@HOST:PORT/DATABASE`` or
``host=... dbname=...``. Outside this machine the connection checks the server's
certificate (``sslmode=verify-full``) unless the address says otherwise.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from docassist.cli.errors import UsageError
from docassist.cli.register import add_sign_in_options, signed_in
from docassist.i18n import _

if TYPE_CHECKING:
    from docassist.services.context import Context
    from docassist.services.sync.hub import Device

NAME = "hub"


def add_parser(sub: argparse._SubParsersAction, codes: list[str]) -> None:
    hub = sub.add_parser(NAME, help=_("the organisation's hub: set it up, connect this laptop"))
    hub_sub = hub.add_subparsers(dest="hub_command", metavar="ACTION", required=True)
    init = hub_sub.add_parser(
        "init", help=_("prepare an empty PostgreSQL database as the organisation's hub")
    )
    init.add_argument("dsn", metavar="DSN", help=_("the database's address"))
    upgrade = hub_sub.add_parser(
        "upgrade", help=_("bring the organisation's hub to this docassist version")
    )
    upgrade.add_argument("dsn", metavar="DSN", help=_("the hub's address (an owner's account)"))
    connect = hub_sub.add_parser(
        "connect", help=_("attach this register to the hub and send it everything it holds")
    )
    connect.add_argument("dsn", metavar="DSN", help=_("the hub's address (an owner's account)"))
    add_sign_in_options(connect)
    connect.add_argument("--name", metavar="TEXT", default="", help=_("what to call this laptop"))
    join = hub_sub.add_parser(
        "join", help=_("make a new register on this laptop for a user of the organisation")
    )
    join.add_argument("dsn", metavar="DSN", help=_("the hub's address (an owner's account)"))
    join.add_argument("--user", metavar="NAME_OR_ID", required=True, help=_("who uses this laptop"))
    join.add_argument("--name", metavar="TEXT", default="", help=_("what to call this laptop"))
    join.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help=_(
            "read your passphrase from the first line of FILE (or set DOCASSIST_PASSPHRASE); "
            "without either it is asked for, without echo"
        ),
    )
    devices = hub_sub.add_parser("devices", help=_("the organisation's laptops and their syncs"))
    add_sign_in_options(devices)
    revoke = hub_sub.add_parser("revoke", help=_("stop a lost laptop from reaching the hub"))
    revoke.add_argument("device", metavar="DEVICE", help=_("the laptop (its first characters)"))
    add_sign_in_options(revoke)
    for parser in (init, upgrade, connect, join, devices, revoke):
        parser.add_argument("--lang", choices=codes, default=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from docassist.services import sync
    from docassist.services.sync.hub import describe

    if args.hub_command == "init":
        new = sync.init_hub(args.dsn)
        if new:
            print(_("{hub} is now the organisation's hub.").format(hub=describe(args.dsn)))
        else:
            print(
                _("{hub} is already a docassist hub: checked, nothing lost.").format(
                    hub=describe(args.dsn)
                )
            )
        return 0
    if args.hub_command == "upgrade":
        return _upgrade(args)
    if args.hub_command == "join":
        return _join(args)
    if args.hub_command == "devices":
        with signed_in(args) as ctx:
            _print_devices(ctx, sync.list_devices(ctx))
        return 0
    if args.hub_command == "revoke":
        with signed_in(args) as ctx:
            device = sync.revoke_device(ctx, args.device)
        print(
            _("Laptop {device} revoked: it can no longer reach the hub.").format(device=device[:8])
        )
        return 0
    with signed_in(args) as ctx:
        summary = sync.connect_hub(ctx, args.dsn, device_name=args.name)
    print(_("This laptop is connected to {hub}.").format(hub=describe(args.dsn)))
    from docassist.cli.sync import say_summary

    say_summary(summary)
    return 0


def _upgrade(args: argparse.Namespace) -> int:
    from docassist.services import sync
    from docassist.services.sync.hub import describe, schema_name

    done = sync.upgrade_hub(args.dsn)
    hub = describe(args.dsn)
    if done.changed and done.before == done.after:  # only the hub's own layout moved
        print(
            _(
                "{hub} upgraded from hub format {before} to {after} (docassist schema {schema})."
            ).format(
                hub=hub,
                before=done.before_format,
                after=done.after_format,
                schema=schema_name(done.after),
            )
        )
    elif done.changed:
        print(
            _("{hub} upgraded from docassist schema {before} to {after}.").format(
                hub=hub, before=schema_name(done.before), after=schema_name(done.after)
            )
        )
    else:
        print(
            _("{hub} is already at this docassist version ({schema}): nothing changed.").format(
                hub=hub, schema=schema_name(done.after)
            )
        )
    return 0


def _join(args: argparse.Namespace) -> int:
    from docassist.cli.init import print_recovery_key
    from docassist.cli.register import db_path, new_passphrase, passphrase_for
    from docassist.cli.sync import say_summary
    from docassist.services import accounts, sync
    from docassist.services.sync.hub import describe

    path = db_path(args)
    # Refused before the hub is asked anything: a register is never made twice (and a
    # demo or practice one is named as such: it never meets the hub).
    sync.refuse_made_up_file(path)
    if path.exists() or path.is_symlink():
        raise UsageError(
            _(
                "There is already a file at {path}: a new register is made only where none is."
            ).format(path=path)
        )
    # Everything about the user is checked before the register is made: a wrong
    # passphrase (or hub, or name) leaves no file behind.
    joining = sync.check_joining(
        args.dsn,
        args.user,
        lambda name: passphrase_for(args, name),
        lambda name: new_passphrase(
            args,
            name,
            _(
                "The hub holds no passphrase of yours: choose the one you will sign in "
                "with on this laptop (at least {n} characters)."
            ).format(n=accounts.MIN_PASSPHRASE_LENGTH),
        ),
    )
    joined = sync.join_new_register(path, args.dsn, joining, device_name=args.name)
    print(_("This laptop is connected to {hub}.").format(hub=describe(args.dsn)))
    say_summary(joined.summary)
    if joined.recovery_key:
        print()
        print(
            _(
                "The hub knew no recovery key of the organisation yet: this register has "
                "one of its own, which opens the laptops that join after it too."
            )
        )
        print_recovery_key(joined.recovery_key)
    return 0


def _print_devices(ctx: Context, devices: list[Device]) -> None:
    from docassist.cli.sync import moment
    from docassist.services.users import list_users

    names = {u.id: u.name for u in list_users(ctx)}
    for d in devices:
        state = _("revoked {at}").format(at=moment(d.revoked_at)) if d.revoked_at else ""
        mine = _(" (this laptop)") if d.device_id == ctx.device_id else ""
        print(
            _("{id}  {name}{mine}  {user}  last sent {push}, last received {pull}  {state}")
            .format(
                id=d.device_id[:8],
                name=d.name or "-",
                mine=mine,
                user=names.get(d.user_id or "", d.user_id or "-"),
                push=moment(d.last_push_at) if d.last_push_at else _("never"),
                pull=moment(d.last_pull_at) if d.last_pull_at else _("never"),
                state=state,
            )
            .rstrip()
        )
