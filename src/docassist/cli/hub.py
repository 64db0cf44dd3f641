"""``docassist hub init|connect``: the organisation's hub (a PostgreSQL database).

A DSN is a PostgreSQL address, ``postgresql://USER:PASSWORD@HOST:PORT/DATABASE`` or
``host=... dbname=...``. Outside this machine the connection checks the server's
certificate (``sslmode=verify-full``) unless the address says otherwise.
"""

from __future__ import annotations

import argparse

from docassist.cli.register import add_sign_in_options, signed_in
from docassist.i18n import _

NAME = "hub"


def add_parser(sub: argparse._SubParsersAction, codes: list[str]) -> None:
    hub = sub.add_parser(NAME, help=_("the organisation's hub: set it up, connect this laptop"))
    hub_sub = hub.add_subparsers(dest="hub_command", metavar="ACTION", required=True)
    init = hub_sub.add_parser(
        "init", help=_("prepare an empty PostgreSQL database as the organisation's hub")
    )
    init.add_argument("dsn", metavar="DSN", help=_("the database's address"))
    connect = hub_sub.add_parser(
        "connect", help=_("attach this register to the hub and send it everything it holds")
    )
    connect.add_argument("dsn", metavar="DSN", help=_("the hub's address (an owner's account)"))
    add_sign_in_options(connect)
    connect.add_argument("--name", metavar="TEXT", default="", help=_("what to call this laptop"))
    for parser in (init, connect):
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
    with signed_in(args) as ctx:
        summary = sync.connect_hub(ctx, args.dsn, device_name=args.name)
    print(_("This laptop is connected to {hub}.").format(hub=describe(args.dsn)))
    from docassist.cli.sync import say_summary

    say_summary(summary)
    return 0
