"""The first screen: sign in with a name and a passphrase, in the language one reads.

Nothing on it tells who has an account: a wrong name and a wrong passphrase get the
same calm line (the services decide it), and no list of users is shown, except on a
demo register, whose made-up users and their shared passphrase are printed so that the
demo stays easy to try.

What it asks depends on the register and the account (``Stage``): a register without
accounts creates its first coordinator here (and shows the recovery key once, when
the register is encrypted); an account from before accounts chooses its passphrase; a
passphrase a coordinator gave (or reset) is replaced by the user's own before anything
else opens; on an encrypted register, a forgotten passphrase is set anew with the
organisation's recovery key (``Stage.RECOVER``, the same service as ``docassist db
recover``).

Every passphrase check and new passphrase costs one or more Argon2id derivations (about
0.2-0.4 s each on a 2-core laptop): they run in a thread worker, never on the UI thread,
so the screen keeps drawing and says that it is checking; what is typed meanwhile
(Enter once more) starts nothing until the answer is in.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from enum import StrEnum
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from docassist import i18n
from docassist.domain.model import ROLE_LABELS
from docassist.domain.text import N_, UserError
from docassist.i18n import _
from docassist.services.context import ValidationError
from docassist.services.made_up import DEMO_PASSPHRASE
from docassist.services.session import Session
from docassist.ui.base import DocScreen
from docassist.ui.checking import run_off_the_ui_thread
from docassist.ui.widgets.footer import KeysFooter
from docassist.ui.widgets.screen_body import ScreenBody
from docassist.ui.widgets.tick_box import TickBox


class Stage(StrEnum):
    SIGN_IN = "sign-in"
    FIRST_COORDINATOR = "first-coordinator"  # a register without accounts
    FIRST_PASSPHRASE = "first-passphrase"  # an account from before accounts
    MUST_CHANGE = "must-change"  # a passphrase given by a coordinator
    RECOVER = "recover"  # a forgotten passphrase, set anew with the recovery key


# Every field of every stage, by id: what is typed survives a language switch (the
# body is composed again) and is wiped when it has been used or Escape clears it.
# In the order Enter goes through them.
FIELDS = ("name", "recovery", "passphrase", "again")
SECRET_FIELDS = ("recovery", "passphrase", "again")


def problems_text(err: ValidationError) -> str:
    return " ".join(p.render(_) for ps in err.problems.values() for p in ps)


def said_by(err: UserError | ValidationError) -> Callable[[], str]:
    """What ``err`` says, in the language current whenever it is drawn."""
    if isinstance(err, ValidationError):
        return lambda: problems_text(err)
    return lambda: err.render(_)


def checking() -> str:
    return _("Checking the passphrase…")


def passphrase_rule() -> str:
    from docassist.services import accounts

    return _(
        "At least {n} characters: two or three words are easy to remember and hard to guess."
    ).format(n=accounts.MIN_PASSPHRASE_LENGTH)


class PassphraseScreen(DocScreen):
    """A screen that checks passphrases: each check runs in a thread worker, one at a
    time (``busy`` meanwhile)."""

    def __init__(self) -> None:
        super().__init__()
        self.busy = False

    def run_check(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        refused: Callable[[UserError | ValidationError], None],
    ) -> None:
        """``work`` in a thread worker; then, on the UI thread, ``busy`` is False again
        and ``done(result)`` runs, or ``refused(error)`` for a UserError or
        ValidationError. Anything else is raised again on the UI thread, where the app
        reports it as any other failure."""
        self.busy = True

        def settled() -> None:
            self.busy = False

        run_off_the_ui_thread(self, work, done, refused, settled)


# Where the keyboard starts: a demo's list of made-up users, else the first field the
# stage has (the stages lay them out in this order).
FIRST_FOCUS = ("#made-up-users", *(f"#{name}" for name in FIELDS))


class SignInScreen(PassphraseScreen):
    BINDINGS = [Binding("escape", "clear", N_("Clear"))]
    # Focused as the screen is composed. Textual's own first choice was the scrolling
    # body, then on_mount moved the focus on: each move restyled the whole body and
    # redrew the footer, a tenth of the start screen's CPU (issue 12).
    AUTO_FOCUS = ", ".join(FIRST_FOCUS)

    def __init__(self) -> None:
        super().__init__()
        self.stage: Stage | None = None
        self.typed: dict[str, str] = dict.fromkeys(FIELDS, "")
        # What the screen says after a try, as a function: redrawn in a new language.
        self._said: Callable[[], str] | None = None
        # MUST_CHANGE: the session waiting for its new passphrase, and the one given.
        self._pending: Session | None = None
        self._given = ""
        # FIRST_PASSPHRASE: the account's name as typed.
        self._first_name = ""

    def compose(self) -> ComposeResult:
        if self.stage is None:
            door = self.app.door
            first = door.needs_first_coordinator()
            self.stage = Stage.FIRST_COORDINATOR if first else Stage.SIGN_IN
        yield ScreenBody(self._compose_body)
        yield KeysFooter()

    def _compose_body(self) -> ComposeResult:
        with VerticalScroll(id="sign-in"):
            yield Static(_("Welcome to docassist"), classes="start-title")
            with Horizontal(classes="language-buttons"):
                for lang in i18n.LANGUAGES:
                    yield Button(
                        lang.native_name,
                        id=f"lang-{lang.code}",
                        variant="primary" if lang == i18n.current_language() else "default",
                    )
            yield from self._stage_body()
            yield Static(
                self._said() if self._said else "",
                id="sign-in-message",
                classes="field-error",
                markup=False,
            )

    def _stage_body(self) -> ComposeResult:
        if self.stage is Stage.SIGN_IN:
            demo = yield from self._demo_users()
            yield from self._field("name", _("Name"))
            yield from self._field("passphrase", _("Passphrase"), secret=True)
            yield from self._button("sign-in", _("Sign in"))
            if demo:  # a demo's passphrase is on the screen (and 24 rows are full)
                pass
            elif self.app.door.encrypted:
                yield Static(
                    _(
                        "Forgot your passphrase? A coordinator can give you a new one, or "
                        "set it anew with the organisation's recovery key:"
                    ),
                    classes="hint",
                )
                yield from self._button("to-recover", _("Use the recovery key"), "default")
            else:
                yield Static(
                    _("Forgot your passphrase? A coordinator can give you a new one."),
                    classes="hint",
                )
        elif self.stage is Stage.RECOVER:
            yield Static(
                _(
                    "A forgotten passphrase: type the organisation's recovery key (the 13 "
                    "groups printed when the register was made) and choose a new passphrase. "
                    "Escape goes back."
                ),
                classes="sign-in-note",
            )
            yield from self._field("name", _("Whose passphrase"))
            yield from self._field("recovery", _("Recovery key"), secret=True)
            yield from self._field("passphrase", _("New passphrase"), secret=True)
            yield from self._field("again", _("Once more"), secret=True)
            yield from self._button("recover", _("Set it and sign in"))
        elif self.stage is Stage.FIRST_COORDINATOR:
            yield Static(
                _(
                    "This register has no accounts yet. You become its first coordinator: "
                    "you create everyone else's account."
                ),
                classes="sign-in-note",
            )
            yield from self._field("name", _("Your name"))
            yield from self._field("passphrase", _("Passphrase"), secret=True)
            yield from self._field("again", _("Once more"), secret=True)
            yield from self._button("create", _("Create and sign in"))
            yield Static(passphrase_rule(), classes="hint")
        else:
            if self.stage is Stage.FIRST_PASSPHRASE:
                note = _("{name}, you have no passphrase yet: choose one now.").format(
                    name=self._first_name
                )
            else:
                note = _("Your passphrase was given to you: choose your own now.")
            yield Static(note, classes="sign-in-note", markup=False)
            yield from self._field("passphrase", _("New passphrase"), secret=True)
            yield from self._field("again", _("Once more"), secret=True)
            yield from self._button("choose", _("Save and go on"))
            yield Static(passphrase_rule(), classes="hint")

    def _field(self, name: str, label: str, *, secret: bool = False) -> ComposeResult:
        with Horizontal(classes="sign-in-row"):
            yield Label(label, classes="sign-in-label")
            yield Input(self.typed[name], id=name, password=secret, max_length=300)

    def _button(self, button_id: str, label: str, variant: Any = "success") -> ComposeResult:
        with Horizontal(classes="sign-in-row"):
            yield Label("", classes="sign-in-label")
            yield Button(label, id=button_id, variant=variant)

    def _demo_users(self) -> Generator[Widget, None, bool]:
        """A demo's made-up users and their passphrase; True if there were any."""
        made_up = self.app.door.made_up_users()
        if not made_up:
            return False
        yield Static(
            _(
                "A demo register: made-up families only. Its made-up users all have the "
                "passphrase {passphrase}. Pick one:"
            ).format(passphrase=DEMO_PASSPHRASE),
            classes="sign-in-note",
            markup=False,
        )
        yield OptionList(
            *[Option(f"{u.name}  ·  {_(ROLE_LABELS[u.role])}", id=u.name) for u in made_up],
            id="made-up-users",
        )
        return True

    def _focus_first(self) -> None:
        for field_id in FIRST_FOCUS:
            for widget in self.query(field_id):
                widget.focus()
                return

    # -- what is typed ------------------------------------------------------------

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input.id in self.typed:
            self.typed[event.input.id] = event.value

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        # Enter in a field goes to the next empty one, and from a full form, submits.
        for name in FIELDS:
            fields = self.query(f"#{name}")
            if fields and not self.typed[name]:
                if fields.first() is not event.input:
                    fields.first().focus()
                return
        self._submit()

    @on(Button.Pressed)
    def _button_pressed(self, event: Button.Pressed) -> None:
        button_id = event.button.id or ""
        if button_id.startswith("lang-"):
            self.app.choose_language(button_id.removeprefix("lang-"))
        elif button_id == "to-recover":
            if not self.busy:
                self.stage = Stage.RECOVER
                self._redraw(None)
        else:
            self._submit()

    @on(OptionList.OptionSelected, "#made-up-users")
    def _made_up_user(self, event: OptionList.OptionSelected) -> None:
        self.typed["name"] = event.option.id or ""
        self.typed["passphrase"] = DEMO_PASSPHRASE
        self._submit()

    def action_clear(self) -> None:
        """Escape: every field and message cleared; a passphrase to choose, or a
        recovery, is given up (back to signing in)."""
        if self.busy:  # the check under way decides what comes next
            return
        if self.stage in (Stage.FIRST_PASSPHRASE, Stage.MUST_CHANGE, Stage.RECOVER):
            self.stage = Stage.SIGN_IN
            self._pending = None
            self._given = ""
        self._redraw(None)

    # -- trying -------------------------------------------------------------------

    def _say(self, said: Callable[[], str] | None, *, keep: tuple[str, ...] = ()) -> None:
        """Show ``said`` and clear every passphrase field (a failed one is typed again)."""
        self._said = said
        for name in SECRET_FIELDS:
            if name not in keep:
                self.typed[name] = ""
                for field in self.query(f"#{name}").results(Input):
                    field.value = ""
        self._show_message(said() if said else "")

    def _show_message(self, text: str) -> None:
        # Below the form's last button: on 24 rows the longest form (the recovery)
        # scrolls, and a refusal must still be seen where it is said.
        message = self.query_one("#sign-in-message", Static)
        message.update(text)
        if text:
            message.scroll_visible(animate=False)

    def _redraw(self, said: Callable[[], str] | None) -> None:
        self.typed = dict.fromkeys(FIELDS, "")
        self._said = said
        self.run_worker(self._recompose_and_focus(), exclusive=True)

    async def _recompose_and_focus(self) -> None:
        await self.query_one(ScreenBody).recompose()
        self._focus_first()

    def _submit(self) -> None:
        if self.busy:  # Enter again while a passphrase is checked: it is being answered
            return
        if self.stage is Stage.SIGN_IN:
            self._sign_in()
        elif self.stage is Stage.FIRST_COORDINATOR:
            self._create_first_coordinator()
        elif self.stage is Stage.RECOVER:
            self._recover()
        else:
            self._choose_passphrase()

    def _check(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        refused: Callable[[UserError | ValidationError], None],
    ) -> None:
        """Run ``work`` (an account service: Argon2id derivations, and the register's
        part of the use case) in a thread worker, then ``done`` with what it returned or
        ``refused`` with the UserError or ValidationError it raised, on the UI thread.
        The register is not used by anything else meanwhile: before a sign-in no screen
        of it is open. Anything else it raises is the app's to report, as elsewhere."""
        self._said = checking
        self._show_message(checking())
        self.run_check(work, done, refused)

    def _sign_in(self) -> None:
        name, passphrase = self.typed["name"], self.typed["passphrase"]
        if not name.strip():
            self._say(lambda: _("Type your name."), keep=("passphrase",))
            self.query_one("#name").focus()
            return
        if not passphrase:
            self._say(lambda: _("Type your passphrase."))
            self.query_one("#passphrase").focus()
            return

        def refused(err: UserError | ValidationError) -> None:
            from docassist.services import accounts

            if isinstance(err, accounts.PassphraseNotSetError):
                self.stage = Stage.FIRST_PASSPHRASE
                self._first_name = " ".join(name.split())
                self._redraw(None)
                return
            # One calm line, whatever was wrong, with the wait if there is one.
            self._say(said_by(err))
            self.query_one("#passphrase").focus()

        self._check(
            lambda: self.app.door.sign_in(name, passphrase),
            lambda session: self._signed_in(session, passphrase),
            refused,
        )

    def _signed_in(self, session: Session, passphrase: str) -> None:
        if session.must_change_passphrase:
            self.stage = Stage.MUST_CHANGE
            self._pending = session
            self._given = passphrase
            self._redraw(None)
            return
        self.app.start_session(session)

    def _two_alike(self) -> str | None:
        """The new passphrase, if typed twice the same; else None (and said)."""
        first, again = self.typed["passphrase"], self.typed["again"]
        if not first:
            self._say(lambda: passphrase_rule(), keep=("recovery",))
            self.query_one("#passphrase").focus()
            return None
        if first != again:
            self._say(lambda: _("The two passphrases differ."), keep=("recovery",))
            self.query_one("#passphrase").focus()
            return None
        return first

    def _create_first_coordinator(self) -> None:
        name = self.typed["name"]
        if not name.strip():
            self._say(lambda: _("Type your name."), keep=("passphrase", "again"))
            self.query_one("#name").focus()
            return
        passphrase = self._two_alike()
        if passphrase is None:
            return

        def made(result: tuple[Session, str | None]) -> None:
            session, recovery_key = result
            if recovery_key is None:
                self.app.start_session(session)
                return
            self.app.push_screen(
                RecoveryKeyScreen(recovery_key), lambda _done: self.app.start_session(session)
            )

        self._check(
            lambda: self.app.door.create_first_coordinator(name, passphrase),
            made,
            self._refused_new_passphrase,
        )

    def _refused_new_passphrase(self, err: UserError | ValidationError) -> None:
        self._say(said_by(err))
        if isinstance(err, ValidationError):
            self.query_one("#passphrase").focus()

    def _choose_passphrase(self) -> None:
        passphrase = self._two_alike()
        if passphrase is None:
            return
        work: Callable[[], Session]
        if self.stage is Stage.FIRST_PASSPHRASE:
            name = self._first_name

            def work() -> Session:
                return self.app.door.set_first_passphrase(name, passphrase)
        else:
            pending, given, ctx = self._pending, self._given, self.ctx
            assert pending is not None  # MUST_CHANGE always has its session

            def work() -> Session:
                from docassist.services import accounts

                return accounts.change_passphrase(ctx, pending, given, passphrase)

        self._check(
            work,
            lambda session: self._signed_in(session, passphrase),
            self._refused_new_passphrase,
        )

    def _recover(self) -> None:
        """The recovery key opens the register, the new passphrase becomes the account's,
        and the user is signed in with it (``RegisterDoor.recover``)."""
        name, recovery_key = self.typed["name"], self.typed["recovery"]
        if not name.strip():
            self._say(lambda: _("Type the name of the account."), keep=SECRET_FIELDS)
            self.query_one("#name").focus()
            return
        if not recovery_key.strip():
            self._say(lambda: _("Type the recovery key."), keep=("passphrase", "again"))
            self.query_one("#recovery").focus()
            return
        passphrase = self._two_alike()
        if passphrase is None:
            return

        def refused(err: UserError | ValidationError) -> None:
            if isinstance(err, ValidationError):  # the new passphrase: the key was right
                self._say(said_by(err), keep=("recovery",))
                self.query_one("#passphrase").focus()
                return
            self._say(said_by(err))
            self.query_one("#recovery").focus()

        self._check(
            lambda: self.app.door.recover(recovery_key, name, passphrase),
            lambda session: self._signed_in(session, passphrase),
            refused,
        )


class RecoveryKeyScreen(DocScreen):
    """The organisation's recovery key, shown once, right after a register is made.

    It opens the register when every passphrase is forgotten, so it is written down and
    locked away, never kept on the laptop. Nothing goes on until the coordinator says
    it is; Ctrl+Q here asks once before quitting (the key is not shown again).
    """

    BINDINGS = [Binding("escape", "nothing", show=False)]

    def __init__(self, recovery_key: str) -> None:
        super().__init__()
        self.recovery_key = recovery_key
        self.written_down = False
        self.warned_about_quitting = False

    def compose(self) -> ComposeResult:
        yield ScreenBody(self._compose_body)
        yield KeysFooter()

    def _compose_body(self) -> ComposeResult:
        with VerticalScroll(id="recovery"):
            yield Static(_("The register's recovery key"), classes="start-title")
            yield Static(
                _(
                    "It opens the register when every passphrase is forgotten. It is shown "
                    "only now, this once."
                ),
                classes="sign-in-note",
            )
            yield Static(self.recovery_key, id="recovery-key", markup=False)
            yield Static(
                _(
                    "Write it down on paper (or print it) and lock it away, in a safe or a "
                    "locked drawer away from the laptop: never in a file, an e-mail or a "
                    "photo. Whoever has it can open the register."
                ),
                classes="sign-in-note",
            )
            yield TickBox(
                _("I have written down the recovery key and put it away"),
                self.written_down,
                id="written-down",
            )
            yield Button(_("Go on"), id="go-on", variant="success", disabled=not self.written_down)
            yield Static("", id="recovery-message", classes="field-error", markup=False)

    def on_mount(self) -> None:
        # The keyboard starts where the one thing to do is (the scrolling body would
        # take the first Tab), and Go on is the next stop once it is checked: Space or
        # Enter, then Enter, leaves the screen.
        self.query_one("#written-down", Checkbox).focus()

    @on(Checkbox.Changed, "#written-down")
    def _checked(self, event: Checkbox.Changed) -> None:
        self.written_down = event.value
        go_on = self.query_one("#go-on", Button)
        go_on.disabled = not event.value
        if event.value:
            go_on.focus()

    @on(Button.Pressed, "#go-on")
    def _go_on(self) -> None:
        if self.written_down:
            self.dismiss(True)

    def action_nothing(self) -> None:
        """Escape does not skip the key: it is shown once."""

    def may_quit(self) -> bool:
        """Ctrl+Q: the first time, say that the key is not shown again; the second, quit."""
        if self.written_down or self.warned_about_quitting:
            return True
        self.warned_about_quitting = True
        self._say_not_shown_again()
        return False

    def _say_not_shown_again(self) -> None:
        self.query_one("#recovery-message", Static).update(
            _(
                "The recovery key is not shown again. Write it down first, or press "
                "Ctrl+Q once more to quit without it."
            )
        )

    async def retranslate(self) -> None:
        """F2 composes the body again in the new language (the keyboard stays where it
        was: ``redraw_body``); the warning said at the first Ctrl+Q stays said, in the
        new language, for the next Ctrl+Q still quits without asking again."""
        await super().retranslate()
        if self.warned_about_quitting and not self.written_down:
            self._say_not_shown_again()
