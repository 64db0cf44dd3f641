"""Passphrase work off the UI thread.

Every passphrase checked or given costs Argon2id derivations (0.2-0.6 s each on a 2-core
laptop): run on the UI thread, they would freeze the screen, and a second Enter typed
meanwhile would be queued and derive again. Screens and dialogs that check or set
passphrases run the account service in a thread worker through ``run_off_the_ui_thread``
and ignore what is submitted until it has answered.

The register's connection is used from that thread while the UI thread waits for the
answer: it is opened to be shared (``check_same_thread=False``), and nothing else on
screen uses it meanwhile (the screen or dialog waiting takes the keys).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from docassist.domain.text import UserError
from docassist.services.context import ValidationError


def run_off_the_ui_thread(
    screen: Screen[Any],
    work: Callable[[], Any],
    done: Callable[[Any], None],
    refused: Callable[[UserError | ValidationError], None],
    settled: Callable[[], None],
) -> None:
    """``work`` in a thread worker of ``screen``; then, on the UI thread, ``settled()``
    and ``done(result)``, or ``refused(error)`` for a UserError or ValidationError.
    Anything else is raised again on the UI thread, where the app reports it as any
    other failure."""
    app = screen.app

    def answer(outcome: Callable[[], None]) -> None:
        settled()
        outcome()

    def in_thread() -> None:
        try:
            result = work()
        except (UserError, ValidationError) as err:
            failure = err
            app.call_from_thread(answer, lambda: refused(failure))
            return
        except Exception as err:  # not a refusal: a failure, raised on the UI thread
            crash = err
            app.call_from_thread(answer, lambda: _raise(crash))
            return
        app.call_from_thread(answer, lambda: done(result))

    screen.run_worker(in_thread, thread=True, group="passphrase")


def _raise(err: Exception) -> None:
    raise err
