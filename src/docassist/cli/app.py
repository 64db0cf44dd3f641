"""``docassist`` and ``docassist run``: the app itself, which needs a terminal."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from docassist.cli.errors import UsageError
from docassist.cli.register import require_register_folder
from docassist.i18n import _

if TYPE_CHECKING:  # the app (Textual) is imported only when it runs
    from docassist.ui.app import DocAssistApp

NAME = "run"


def add_parser(sub: argparse._SubParsersAction, codes: list[str]) -> None:
    run = sub.add_parser(NAME, help=_("start the app (the default)"))
    run.add_argument(
        "--new",
        action="store_true",
        help=_(
            "make a new, empty register where --db points when no file is there "
            "(without it, a --db naming no file is refused as a typing mistake)"
        ),
    )


def run(args: argparse.Namespace) -> int:
    need_terminal()
    from docassist import locations
    from docassist.services.backups import clean_backups_folder
    from docassist.services.files import clean_scratch
    from docassist.ui.app import DocAssistApp

    # What killed copies and exports left behind (full copies, names and JMBGs).
    clean_backups_folder()
    for folder in (locations.exports_dir(), locations.handouts_dir()):
        clean_scratch(folder)

    # The app opens (and on first use creates) the register itself.
    return run_app(DocAssistApp(require_register_folder(args), language=args.lang))


def need_terminal() -> None:
    """The app draws on a terminal and reads keys from it. From a script or cron it
    would run forever at full speed, writing escape codes into the output file."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            _("needs a terminal; the sub-commands work without one, see docassist --help")
        )


def run_app(app: DocAssistApp) -> int:
    """Run the app; a crash (already shown on screen, without personal data) is
    status 2 like any other failure, so a script or launcher can tell."""
    app.run()
    return 2 if app.return_code else 0
