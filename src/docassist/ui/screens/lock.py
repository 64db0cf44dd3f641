"""The lock: every screen covered, after minutes without a key or with Ctrl+L.

Nothing of the register shows on it, only who locked it (so they know whose
passphrase opens it). Underneath, every screen stays as it was, forms half typed
included: the same user's passphrase lifts the lock and the work goes on.

Someone else may sign in instead: the locked user is then signed out, and whatever
they typed and did not save is discarded (not kept as a draft: a draft would keep one
person's half-typed record of a family where the next person signs in), after a
warning that names each form by what it is ("New household"), never by whose it is.
The lock itself says so beforehand, under its buttons, while such a form is open.

An idle lock can fall just as someone starts typing again, eyes on an ID card: what
they type on is the form's, not a passphrase, and is dropped (``LockScreen._typing_on``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from docassist.domain.text import N_, UserError
from docassist.i18n import _, ngettext
from docassist.services import accounts
from docassist.services.context import ValidationError
from docassist.ui.screens.sign_in import PassphraseScreen, checking, said_by
from docassist.ui.widgets.footer import KeysFooter
from docassist.ui.widgets.screen_body import ScreenBody


def discard_warning(name: str, lost: list[str]) -> str:
    """The warning before a sign-out closes forms with unsaved typing."""
    return _(
        "What {name} typed and did not save is discarded: {forms}. It cannot be brought back."
    ).format(name=name, forms=", ".join(lost))


def _not_yours() -> str:
    return _("That is not your passphrase.")


# A pause this long (seconds) ends the typing that was going on as the idle lock fell.
TYPING_ON_PAUSE = 1.0


class LockPassphrase(Input):
    """The lock's passphrase field; keys for which ``typing_on`` says yes go nowhere:
    not into the field, nor to its Enter or Tab (the event stops here, before any
    binding), nor to the form underneath."""

    def __init__(self, typing_on: Callable[[], bool], value: str, **kwargs: Any) -> None:
        super().__init__(value, **kwargs)
        self._typing_on = typing_on

    def on_key(self, event: events.Key) -> None:
        if self._typing_on():
            event.prevent_default()  # Input's own handler (the typing) is not called
            event.stop()  # nor are the bindings (Enter submits, Tab moves on)


class LockScreen(PassphraseScreen):
    BINDINGS = [Binding("escape", "clear", N_("Clear"))]

    def __init__(self, *, idle: bool) -> None:
        super().__init__()
        self.idle = idle
        self.typed = ""
        self._said: Callable[[], str] | None = None
        # Until when a key is still the typing that was going on as the lock fell
        # (set when an idle lock is shown; None once that typing has stopped).
        self._typing_on_until: float | None = None

    def compose(self) -> ComposeResult:
        yield ScreenBody(self._compose_body)
        yield KeysFooter()

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
                yield LockPassphrase(
                    self._typing_on,
                    self.typed,
                    id="lock-passphrase",
                    password=True,
                    max_length=300,
                )
            with Horizontal(classes="sign-in-row"):
                yield Button(_("Unlock"), id="unlock", variant="success")
                yield Button(_("Someone else signs in"), id="someone-else")
            lost = self.app.unsaved_work()
            if lost:
                yield Static(
                    _(
                        "If someone else signs in, what {name} has not saved is discarded "
                        "(after a warning): {forms}."
                    ).format(name=name, forms=", ".join(lost)),
                    id="lock-unsaved",
                    classes="hint",
                    markup=False,
                )
            yield Static(
                self._said() if self._said else "",
                id="lock-message",
                classes="field-error",
                markup=False,
            )

    def on_mount(self) -> None:
        if self.idle:
            self._typing_on_until = self.app.idle.now() + TYPING_ON_PAUSE
        self.query_one("#lock-passphrase", Input).focus()

    def _typing_on(self) -> bool:
        """Whether a key now is still the typing that was going on as the idle lock
        fell: within a second of the lock, or of the key before it.

        Why: someone typing a family's name from an ID card, eyes down, goes on
        typing and presses Enter; that was for the form, and must neither count
        against the sign-in throttle nor be answered "That is not your passphrase".
        A fixed second after the lock would let in whatever comes after it; so the
        typing is dropped until it stops for a moment, as it does when they look up
        and see the lock. Their passphrase, typed after that moment, goes in as
        typed, into an empty field. Ctrl+L is locking on purpose: no such typing."""
        if self._typing_on_until is None:
            return False
        now = self.app.idle.now()
        if now < self._typing_on_until:
            self._typing_on_until = now + TYPING_ON_PAUSE
            return True
        self._typing_on_until = None
        return False

    @on(Input.Changed, "#lock-passphrase")
    def _typed(self, event: Input.Changed) -> None:
        self.typed = event.value

    def action_clear(self) -> None:
        if not self.busy:
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
        if session is None or self.busy:  # Enter again while checking: being answered
            return
        if not self.typed:
            self._say(lambda: _("Type your passphrase."))
            return
        typed, ctx = self.typed, self.ctx

        def refused(err: UserError | ValidationError) -> None:
            if isinstance(err, accounts.SignInError):
                # Only the passphrase was typed here: "name and passphrase" would puzzle.
                self._say(said_by(err) if err.wait_seconds else _not_yours)
            else:
                self._say(said_by(err))
            self.query_one("#lock-passphrase", Input).focus()

        def unlocked(_none: None) -> None:
            self.typed = ""
            self.app.unlock()

        # The check (an Argon2id derivation) runs off the UI thread. The screens under
        # the lock are covered and take no keys, so nothing else uses the register's
        # connection meanwhile (their one timer, the search's audit entry 1.5 s after
        # its last key, has fired long before a passphrase is typed here).
        self._said = checking
        self.query_one("#lock-message", Static).update(checking())
        self.run_check(lambda: accounts.check_passphrase(ctx, session, typed), unlocked, refused)

    @on(Button.Pressed, "#someone-else")
    def _someone_else(self) -> None:
        if not self.busy:
            self.app.leave_session()
