"""A register another program keeps busy: one calm message, and what was typed stays.

Writers wait for each other (``Context.use_case`` takes the write lock first, and
SQLite waits ``busy_timeout`` for it). A lock held longer than that (a backup of a large
register on a slow stick, a second app stuck in a long import) ends the use case with
the store's ``BusyDatabaseError`` before anything was written. Every screen and dialog
that writes catches it the same way, here: it says so once and stays as it was (the
form filled, the dialog open), so the user can simply try again. Without it the handler's
exception would stop the app, and the typing would be lost.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from textual.dom import DOMNode

from docassist.i18n import _
from docassist.store import engine
from docassist.store.db import BusyDatabaseError, explain_database_error

P = ParamSpec("P")
R = TypeVar("R")

# Long enough to read a sentence twice; the message says nothing was saved.
BUSY_NOTICE_SECONDS = 15


def busy_error(err: BaseException, path: Any = "") -> BusyDatabaseError | None:
    """``err`` as the store's busy message, if that is what it is (also a raw "database
    is locked" from a statement that met the lock outside a use case's BEGIN)."""
    if isinstance(err, BusyDatabaseError):
        return err
    known = explain_database_error(err, path)
    return known if isinstance(known, BusyDatabaseError) else None


def say_busy(node: DOMNode, err: BusyDatabaseError) -> None:
    """The one message, as a notification: it outlives the dialog or form it came from."""
    node.app.notify(err.render(_), severity="error", timeout=BUSY_NOTICE_SECONDS)


def _caught() -> tuple[type[Exception], ...]:
    """What a write meets when the lock stays taken: the use case's own error, or
    SQLite's "database is locked" from a statement outside one (judged by
    ``busy_error``). Read when caught: sqlcipher3's errors join once it is loaded."""
    return (BusyDatabaseError, *engine.OperationalErrors)


def _handled(node: Any, err: Exception) -> None:
    found = busy_error(err, getattr(node.app, "db_path", ""))
    if found is None:
        raise err
    say_busy(node, found)


def calm_when_busy(method: Callable[P, R]) -> Callable[P, R | None]:
    """For a screen's or dialog's method that writes: a busy register is said once and
    the method returns None, leaving the screen as it was (typing kept, dialog open).
    Any other failure goes on as before. ``calm_when_busy_async`` for coroutines."""

    @functools.wraps(method)
    def run(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return method(*args, **kwargs)
        except _caught() as err:
            _handled(args[0], err)
            return None

    return run


def calm_when_busy_async(
    method: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, Coroutine[Any, Any, R | None]]:
    """``calm_when_busy`` for an async handler or worker."""

    @functools.wraps(method)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return await method(*args, **kwargs)
        except _caught() as err:
            _handled(args[0], err)
            return None

    return run
