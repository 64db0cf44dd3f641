"""Ctrl+T: the accounts, as the signed-in user may see and change them.

A coordinator sees every account and creates, resets, changes the role of and
removes them; a facilitator sees the trainees (and themself) and creates trainee
accounts; everyone changes their own passphrase here. What each may do is decided in
``services.accounts``; the keys a role may not use are not offered, and the line under
the list says who does it instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from docassist.domain.model import ROLE_LABELS, Role
from docassist.domain.text import N_, UserError
from docassist.i18n import _
from docassist.services import accounts
from docassist.services.accounts import Account, Action
from docassist.ui.base import DocScreen
from docassist.ui.dialogs import ConfirmDialog
from docassist.ui.dialogs.accounts import (
    NewAccountDialog,
    OwnPassphraseDialog,
    ResetPassphraseDialog,
    RoleDialog,
)
from docassist.ui.widgets.fast_table import FastTable
from docassist.ui.widgets.footer import KeysFooter
from docassist.ui.widgets.screen_body import ScreenBody, redraw_body
from docassist.ui.widgets.title_bar import TitleBar

# The order roles are offered in when creating an account: the usual one first.
ROLE_ORDER = (Role.FACILITATOR, Role.TRAINEE, Role.COORDINATOR, Role.ADMIN)


def passphrase_state(account: Account) -> str:
    if not account.has_passphrase:
        return _("not chosen yet")
    if account.must_change_passphrase:
        return _("to be changed at the next sign-in")
    return _("their own")


class UsersScreen(DocScreen):
    _kept_id: str | None = None

    # A coordinator's three keys are named in the line under the list (and in F1):
    # in the footer they pushed Help and Quit off 80 columns.
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back")),
        Binding("n", "new_account", N_("New account")),
        Binding("p", "own_passphrase", N_("My passphrase")),
        Binding("r", "reset_passphrase", N_("Reset passphrase"), show=False),
        Binding("o", "change_role", N_("Change role"), show=False),
        Binding("delete", "remove_account", N_("Remove"), show=False),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield ScreenBody(self._compose_body)
        yield KeysFooter()

    def _compose_body(self) -> ComposeResult:
        with Vertical(id="users"):
            yield Static(_("Users"), classes="start-title")
            table: DataTable = FastTable(cursor_type="row", id="accounts")
            table.add_column(_("Name"))
            table.add_column(_("Role"))
            table.add_column(_("Passphrase"))
            shown = self._accounts()
            for account in shown:
                table.add_row(
                    account.name,
                    _(ROLE_LABELS[account.role]),
                    passphrase_state(account),
                    key=account.id,
                )
            # The row that was chosen stays chosen across a change (first: oneself).
            session = self.app.session
            keep = self._kept_id or (session.user_id if session else None)
            ids = [a.id for a in shown]
            if keep in ids:
                table.move_cursor(row=ids.index(keep), animate=False)
            yield table
            yield Static(self._note(), classes="hint", id="users-note")

    def _accounts(self) -> list[Account]:
        session = self.app.session
        if session is None:
            return []
        try:
            return accounts.list_accounts(self.ctx, session)
        except UserError as err:  # the account was changed meanwhile
            self.notify(err.render(_), severity="error")
            return []

    def _note(self) -> str:
        role = self.app.role
        if accounts.role_may(role, Action.MANAGE_ACCOUNTS):
            return _(
                "On the chosen account: r gives a new passphrase, o changes the role, "
                "Delete removes it. Nobody changes their own role or removes their own account."
            )
        if self._creatable():
            return _(
                "You may create trainee accounts. A coordinator resets passphrases, "
                "changes roles and removes accounts."
            )
        return _("You may change your own passphrase (p). A coordinator manages the accounts.")

    def _creatable(self) -> list[Role]:
        return [r for r in ROLE_ORDER if accounts.may_create(self.app.role, r)]

    def on_mount(self) -> None:
        self.query_one("#accounts", DataTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_account":
            return bool(self._creatable())
        if action in ("reset_passphrase", "change_role", "remove_account"):
            return accounts.role_may(self.app.role, Action.MANAGE_ACCOUNTS)
        return True

    # -- the chosen account ----------------------------------------------------

    def _chosen(self) -> Account | None:
        table = self.query_one("#accounts", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((a for a in self._accounts() if a.id == key), None)

    def _others(self) -> Account | None:
        """The chosen account, if it is not the user's own (that one is changed with p)."""
        account = self._chosen()
        session = self.app.session
        if account is None or session is None:
            return None
        if account.id == session.user_id:
            self.notify(
                _("That is your own account: change your passphrase with p."), severity="warning"
            )
            return None
        return account

    def _after(self, message: str) -> Callable[[bool | None], Awaitable[None]]:
        """What follows a dialog: once it saved, the list again, and ``message``."""

        async def done(saved: bool | None) -> None:
            if saved:
                await self._redraw()
                self.notify(message)

        return done

    async def _redraw(self) -> None:
        chosen = self._chosen()
        self._kept_id = chosen.id if chosen else None
        await redraw_body(self)

    async def retranslate(self) -> None:
        await self._redraw()

    # -- actions -------------------------------------------------------------------

    def action_new_account(self) -> None:
        roles = self._creatable()
        if roles:
            done = self._after(_("The account was created."))
            self.app.push_screen(NewAccountDialog(roles), done)

    def action_reset_passphrase(self) -> None:
        account = self._others()
        if account is not None:
            self.app.push_screen(
                ResetPassphraseDialog(account), self._after(_("The passphrase was reset."))
            )

    def action_change_role(self) -> None:
        account = self._others()
        if account is not None:
            self.app.push_screen(RoleDialog(account), self._after(_("The role was changed.")))

    def action_own_passphrase(self) -> None:
        self.app.push_screen(OwnPassphraseDialog(), self._after(_("Your passphrase was changed.")))

    def action_remove_account(self) -> None:
        account = self._others()
        if account is None:
            return
        session = self.app.session
        assert session is not None  # reached only signed in

        async def answered(remove: bool | None) -> None:
            if not remove:
                return
            try:
                accounts.remove_user(self.ctx, session, account.id)
            except UserError as err:
                self.notify(err.render(_), severity="error")
                return
            await self._redraw()
            self.notify(_("The account was removed."))

        self.app.push_screen(
            ConfirmDialog(
                lambda: _(
                    "Remove the account of {name}? They can no longer sign in; what they "
                    "recorded stays, under their name."
                ).format(name=account.name),
                confirm_label=N_("Remove"),
                cancel_label=N_("Keep"),
                danger=True,
                cancel_first=True,
            ),
            answered,
        )

    @on(DataTable.RowSelected, "#accounts")
    def _enter(self) -> None:
        # Enter on a row: what the user may do with it most often.
        session = self.app.session
        account = self._chosen()
        if account is not None and session is not None and account.id == session.user_id:
            self.action_own_passphrase()
        elif accounts.role_may(self.app.role, Action.MANAGE_ACCOUNTS):
            self.action_reset_passphrase()
