"""The ``docassist`` command: the app by default, and a few sub-commands.

Each sub-command (or family of them) is a module here with the same three names:
``NAME``, ``add_parser`` (its part of the command line, beside its code) and ``run``.
Every one that reads the register opens it with ``register.register`` and signs in
to it with ``register.signed_in``; every failure
is one clear line on stderr and exit status 2 (``errors``), never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from docassist import i18n
from docassist.cli import (
    app,
    checklists,
    db,
    demo,
    export,
    handout,
    hub,
    importing,
    init,
    languages,
    locate,
    report,
    sync,
    users,
)
from docassist.cli.errors import UsageError, reader_gone, report_failure
from docassist.cli.parser import build_parser, in_user_language, language_from
from docassist.cli.register import Clock, register_path

#: The sub-commands, in the order ``docassist --help`` lists them.
COMMAND_MODULES = (
    app,
    init,
    locate,
    demo,
    db,
    checklists,
    languages,
    report,
    export,
    handout,
    importing,
    hub,
    sync,
    users,
)

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    module.NAME: module.run for module in COMMAND_MODULES
}


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    """Run one command; ``clock``: a test's, instead of the real one."""
    argv = list(sys.argv[1:] if argv is None else argv)
    language = language_from(argv)
    if language in {lang.code for lang in i18n.LANGUAGES}:
        i18n.set_language(language)
    args = None
    try:
        with in_user_language():
            args = build_parser(COMMAND_MODULES).parse_args(argv)
        args.clock = clock
        status = COMMANDS[args.command or app.NAME](args)
        sys.stdout.flush()  # a reader gone away shows here, not at interpreter exit
        return status
    except UsageError as err:
        print(f"docassist: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return reader_gone()
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # the one place that turns any failure into one line
        return report_failure(err, None if args is None else register_path(args))
