"""The Users screen's questions: a new account, a passphrase, a role.

Each dialog calls its use case in ``services.accounts`` (which decides who may do it)
and stays open with the refusal or the problem said in it until the change is saved;
it dismisses with True once saved. Passphrases are typed twice, masked: a screen may
be projected. A new passphrase is wrapped (and a current one checked) with Argon2id, so
each use case runs in a thread worker (ui/checking.py): the dialog says it is saving,
and Enter or Save again meanwhile starts nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from docassist.domain.model import ROLE_LABELS, Role
from docassist.domain.text import N_, UserError
from docassist.i18n import _
from docassist.services import accounts
from docassist.services.accounts import Account
from docassist.services.context import ValidationError
from docassist.services.session import Session
from docassist.ui.checking import run_off_the_ui_thread
from docassist.ui.dialogs.base import Dialog, button_row
from docassist.ui.widgets.chosen import chosen
from docassist.ui.widgets.drop_down import DropDown


def _problems(err: ValidationError) -> str:
    return " ".join(p.render(_) for ps in err.problems.values() for p in ps)


class AccountDialog(Dialog, ModalScreen[bool]):
    """Fields (``_fields``), a line for what is wrong, Cancel and Save (``_save``)."""

    DEFAULT_CSS = """
    AccountDialog > .dialog-box { width: 66; padding: 0 1; }
    AccountDialog .account-row { height: auto; }
    AccountDialog .account-label { width: 18; padding-top: 1; }
    AccountDialog .account-row Input, AccountDialog .account-row Select { width: 1fr; }
    AccountDialog #account-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self) -> None:
        super().__init__()
        self.typed: dict[str, str] = {}
        self.busy = False  # a use case under way in its worker

    def _title(self) -> str:
        raise NotImplementedError  # each dialog says what it does

    def unsaved_work(self) -> str | None:
        # The title names an account, never a family: safe to show over the lock.
        return self._title() if any(v for v in self.typed.values()) else None

    def _fields(self) -> ComposeResult:
        raise NotImplementedError  # each dialog has its own fields

    def _save(self) -> Any:
        """Call the use case (in a thread worker: read what was typed, change nothing of
        the app); raise ValidationError or UserError to stay open. What it returns goes
        to ``_saved``, on the UI thread."""
        raise NotImplementedError

    def _saved(self, result: Any) -> None:
        """After ``_save`` succeeded, on the UI thread, before the dialog closes."""

    def compose(self) -> ComposeResult:
        # Scrolls when four fields and a hint are taller than 24 rows less the border.
        with VerticalScroll(classes="dialog-box"):
            yield Static(self._title(), classes="dialog-title", markup=False)
            yield from self._fields()
            yield Static("", id="account-error", markup=False)
            yield button_row(
                Button(_("Cancel"), id="cancel"),
                Button(_("Save"), id="save", variant="primary"),
                id="account-buttons",
            )

    def _row(self, field_id: str, label: str, *, secret: bool = False) -> ComposeResult:
        with Horizontal(classes="account-row"):
            yield Label(label, classes="account-label")
            yield Input(self.typed.get(field_id, ""), id=field_id, password=secret, max_length=300)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input.id:
            self.typed[event.input.id] = event.value

    @on(Input.Submitted)
    def _enter(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self.busy:  # Enter or Save again while saving: it is being answered
            return
        self.busy = True
        self.query_one("#account-error", Static).update(_("Saving…"))

        def refused(err: UserError | ValidationError) -> None:
            self._refused(_problems(err) if isinstance(err, ValidationError) else err.render(_))

        def done(result: Any) -> None:
            self._saved(result)
            self.dismiss(True)

        def settled() -> None:
            self.busy = False

        run_off_the_ui_thread(self, self._save, done, refused, settled)

    def _refused(self, text: str) -> None:
        self.query_one("#account-error", Static).update(text)
        for field in self.query(Input):
            if field.password:
                field.value = ""

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self.busy:  # what is being saved is answered first
            self.dismiss(False)

    def _new_passphrase(self) -> str:
        first, again = self.typed.get("new", ""), self.typed.get("again", "")
        if first != again:
            raise UserError(N_("The two passphrases differ."))
        return first


class NewAccountDialog(AccountDialog):
    """A new account, in a role the signed-in user may create."""

    AUTO_FOCUS = "#account-name"

    def __init__(self, roles: Sequence[Role]) -> None:
        super().__init__()
        self.roles = list(roles)
        self.role = self.roles[0]

    def _title(self) -> str:
        return _("New account")

    def _fields(self) -> ComposeResult:
        yield from self._row("account-name", _("Name"))
        with Horizontal(classes="account-row"):
            yield Label(_("Role"), classes="account-label")
            yield DropDown(
                [(_(ROLE_LABELS[r]), r.value) for r in self.roles],
                value=self.role.value,
                allow_blank=False,
                id="account-role",
                disabled=len(self.roles) == 1,
            )
        yield from self._row("new", _("First passphrase"), secret=True)
        yield from self._row("again", _("Once more"), secret=True)
        yield Static(
            _("Tell it to them in person. They choose their own at their first sign-in."),
            classes="dialog-hint",
        )

    @on(Select.Changed, "#account-role")
    def _role(self, event: Select.Changed) -> None:
        value = chosen(event.value)
        if value is not None:
            self.role = Role(value)

    def _save(self) -> None:
        session = self.app.session
        assert session is not None  # the Users screen is reached only signed in
        accounts.create_user(
            self.ctx, session, self.typed.get("account-name", ""), self.role, self._new_passphrase()
        )


class ResetPassphraseDialog(AccountDialog):
    """A coordinator gives someone a new passphrase (a forgotten one)."""

    AUTO_FOCUS = "#new"

    def __init__(self, account: Account) -> None:
        super().__init__()
        self.account = account

    def _title(self) -> str:
        return _("New passphrase for {name}").format(name=self.account.name)

    def _fields(self) -> ComposeResult:
        yield from self._row("new", _("New passphrase"), secret=True)
        yield from self._row("again", _("Once more"), secret=True)
        yield Static(
            _("Tell it to them in person. They choose their own at their next sign-in."),
            classes="dialog-hint",
        )

    def _save(self) -> None:
        session = self.app.session
        assert session is not None  # the Users screen is reached only signed in
        accounts.reset_passphrase(self.ctx, session, self.account.id, self._new_passphrase())


class OwnPassphraseDialog(AccountDialog):
    """Everyone changes their own passphrase, given the current one."""

    AUTO_FOCUS = "#current"

    def _title(self) -> str:
        return _("Change my passphrase")

    def _fields(self) -> ComposeResult:
        yield from self._row("current", _("Current passphrase"), secret=True)
        yield from self._row("new", _("New passphrase"), secret=True)
        yield from self._row("again", _("Once more"), secret=True)

    def _save(self) -> Session:
        session = self.app.session
        assert session is not None  # the Users screen is reached only signed in
        new = self._new_passphrase()
        return accounts.change_passphrase(self.ctx, session, self.typed.get("current", ""), new)

    def _saved(self, result: Any) -> None:
        self.app.session = result  # no longer asked to change it


class RoleDialog(AccountDialog):
    """A coordinator changes another user's role."""

    AUTO_FOCUS = "#account-role"

    def __init__(self, account: Account) -> None:
        super().__init__()
        self.account = account
        self.role = account.role

    def _title(self) -> str:
        return _("Role of {name}").format(name=self.account.name)

    def _fields(self) -> ComposeResult:
        with Horizontal(classes="account-row"):
            yield Label(_("Role"), classes="account-label")
            yield DropDown(
                [(_(ROLE_LABELS[r]), r.value) for r in Role],
                value=self.role.value,
                allow_blank=False,
                id="account-role",
            )
        yield Static(
            _("A trainee opens only the practice register; the others the real one."),
            classes="dialog-hint",
        )

    @on(Select.Changed, "#account-role")
    def _role(self, event: Select.Changed) -> None:
        value = chosen(event.value)
        if value is not None:
            self.role = Role(value)

    def _save(self) -> None:
        session = self.app.session
        assert session is not None  # the Users screen is reached only signed in
        accounts.set_role(self.ctx, session, self.account.id, self.role)
