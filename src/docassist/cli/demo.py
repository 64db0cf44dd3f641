"""``docassist demo``: the app on made-up families, in a file of its own."""

from __future__ import annotations

import argparse
from pathlib import Path

from docassist import locations
from docassist.cli import app
from docassist.cli.errors import UsageError
from docassist.cli.register import demo_path, register
from docassist.i18n import _

NAME = "demo"


def add_parser(sub: argparse._SubParsersAction, codes: list[str]) -> None:
    demo = sub.add_parser(NAME, help=_("try docassist on made-up families (a separate file)"))
    demo.add_argument("--households", type=int, default=300, metavar="N")
    demo.add_argument("--seed", type=int, default=1, metavar="S")
    demo.add_argument("--rebuild", action="store_true", help=_("throw away and rebuild the demo"))
    demo.add_argument("--no-run", action="store_true", help=_("build only, do not start the app"))


def run(args: argparse.Namespace) -> int:
    from docassist.services.demo import generate
    from docassist.services.households import count_households
    from docassist.services.made_up import is_demo_file

    if args.households < 1 or args.households > 1_000_000:
        raise UsageError(_("--households must be between 1 and 1000000."))
    if not args.no_run:
        app.need_terminal()
    path = demo_path(args)
    if path.resolve() == locations.default_database().resolve():
        raise UsageError(_("The demo never writes into the real register. Choose another file."))
    # Its own file is always the demo's (older ones carry no mark); any other file only
    # if the demo made it: a real register, even an empty one, is never touched.
    own_file = path.resolve() == locations.demo_database().resolve()
    if path.exists() and not own_file and not is_demo_file(path):
        raise UsageError(
            _(
                "{path} is not a demo register: the demo writes only into a file it made "
                "itself. Choose another file, or leave out --db."
            ).format(path=path)
        )
    if args.rebuild:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    # The one command that may create its register: the demo is built on first use.
    with register(args, create=True) as ctx:
        if count_households(ctx) == 0:
            print(
                _("Building a demo register of {n} made-up households in {path} ...").format(
                    n=args.households, path=path
                )
            )
            generate(ctx, households=args.households, seed=args.seed)
    if args.no_run:
        print(_("Demo register ready: {path}").format(path=path))
        return 0
    from docassist.ui.app import DocAssistApp

    return app.run_app(DocAssistApp(path, demo=True, language=args.lang))
