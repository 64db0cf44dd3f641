"""One home for what the command line says when something goes wrong.

Every failure is one clear line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from docassist.i18n import _


class UsageError(Exception):
    """A mistake on the command line, already worded for the user."""


# 128 + SIGPIPE (13): the status a shell reports for any tool whose reader left
# early (`yes | head -1`), so `set -o pipefail` treats docassist like the others.
# Not 0: the output was cut short. Not 2: nothing went wrong that needs a message.
READER_GONE = 141


def reader_gone() -> int:
    """The reader of our output closed the pipe (`docassist locate | head -1`):
    stop quietly. Python would flush stdout again at exit and complain about the
    broken pipe, so stdout now points at devnull (the recipe in the documentation
    of the signal module)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # no real file behind sys.stdout
        pass
    return READER_GONE


def report_failure(err: Exception, register: Path | None = None) -> int:
    """Say ``err`` as one line on stderr and return the exit status (2).

    ``register`` is the database file the command worked on, to name it in a message.
    """
    from docassist.domain.text import UserError
    from docassist.services.context import ValidationError
    from docassist.store.db import explain_database_error

    # Damage deep in a large register is met only when a command reads it: say
    # it as opening would have, not as an internal error.
    known = explain_database_error(err, register or "?")
    if isinstance(err, UserError):
        message = err.render(_)
    elif known is not None:
        message = known.render(_)
    elif isinstance(err, ValidationError):
        message = "; ".join(p.render(_) for ps in err.problems.values() for p in ps)
    elif isinstance(err, OSError):
        reason = err.strerror or type(err).__name__
        if err.filename:
            message = _("cannot use {path}: {reason}").format(path=err.filename, reason=reason)
        else:  # a full disk, a device gone: nothing to name
            message = _("cannot continue: {reason}").format(reason=reason)
    else:
        from docassist.crashlog import write_crash_log

        log = write_crash_log(err)
        message = _("internal error ({kind}); details without personal data in {path}").format(
            kind=type(err).__name__, path=log or "?"
        )
    print(f"docassist: {message}", file=sys.stderr)
    return 2
