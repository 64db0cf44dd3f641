"""The lock: every screen covered, after minutes without a key or with Ctrl+L.

Nothing of the register shows on it, only who locked it (so they know whose
passphrase opens it). Underneath, every screen stays as it was, forms half typed
included: the same user's passphrase lifts the lock and the work goes on.

Someone else may sign in instead: the locked user is then signed out, and whatever
they typed and did not save is discarded, after a warning that names each form by
what it is ("New household"), never by whose it is.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Input, Static

from docassist.domain.text import N_, UserError
from docassist.i18n import _, ngettext
from docassist.services import accounts
from docassist.ui.base import DocScreen
from docassist.ui.screens.sign_in import said_by
from docassist.ui.widgets.screen_body import ScreenBody


def discard_warning(name: str, lost: list[str]) -> str:
    """The warning before a sign-out closes forms with unsaved typing."""
    return _(
        "What {name} typed and did not save is discarded: {forms}. It cannot be brought back."
    ).format(name=name, forms=", ".join(lost))


def _not_yours() -> str:
    return _("That is not your passphrase.")


class LockScreen(DocScreen):
    BINDINGS = [Binding("escape", "clear", N_("Clear"))]

    def __init__(self, *, idle: bool) -> None:
        super().__init__()
        self.idle = idle
        self.typed = ""
        self._said: Callable[[], str] | None = None

    def compose(self) -> ComposeResult:
        yield ScreenBody(self._compose_body)
        yield Footer()

    def _why(self) -> str:
        if not self.idle:
            return _("Locked with Ctrl+L.")
        minutes = max(1, round(self.app.idle.limit_seconds / 60))
        return ngettext(
            "Locked after {n} minute without a key.",
            "Locked after {n} minutes without a key.",
            minutes,
        ).format(n=minutes)

    def _compose_body(self) -> ComposeResult:
        session = self.app.session
        name = session.name if session else ""
        with Vertical(id="lock"):
            yield Static(_("docassist is locked"), classes="start-title")
            yield Static(self._why(), classes="hint")
            yield Static(
                _("{name}: type your passphrase to go on where you left off.").format(name=name),
                classes="sign-in-note",
                markup=False,
            )
            with Horizontal(classes="sign-in-row"):
                yield Input(self.typed, id="lock-passphrase", password=True, max_length=300)
            with Horizontal(classes="sign-in-row"):
                yield Button(_("Unlock"), id="unlock", variant="success")
                yield Button(_("Someone else signs in"), id="someone-else")
            yield Static(
                self._said() if self._said else "",
                id="lock-message",
                classes="field-error",
                markup=False,
            )

    def on_mount(self) -> None:
        self.query_one("#lock-passphrase", Input).focus()

    @on(Input.Changed, "#lock-passphrase")
    def _typed(self, event: Input.Changed) -> None:
        self.typed = event.value

    def action_clear(self) -> None:
        self._say(None)

    def _say(self, said: Callable[[], str] | None) -> None:
        self._said = said
        self.typed = ""
        self.query_one("#lock-passphrase", Input).value = ""
        self.query_one("#lock-message", Static).update(said() if said else "")

    @on(Input.Submitted, "#lock-passphrase")
    @on(Button.Pressed, "#unlock")
    def _unlock(self) -> None:
        session = self.app.session
        if session is None:
            return
        if not self.typed:
            self._say(lambda: _("Type your passphrase."))
            return
        try:
            accounts.check_passphrase(self.ctx, session, self.typed)
        except accounts.SignInError as err:
            # Only the passphrase was typed here: "name and passphrase" would puzzle.
            self._say(said_by(err) if err.wait_seconds else _not_yours)
            self.query_one("#lock-passphrase", Input).focus()
            return
        except UserError as err:
            self._say(said_by(err))
            self.query_one("#lock-passphrase", Input).focus()
            return
        self.typed = ""
        self.app.unlock()

    @on(Button.Pressed, "#someone-else")
    def _someone_else(self) -> None:
        self.app.leave_session()
