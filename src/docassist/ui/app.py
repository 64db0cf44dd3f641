"""The docassist Textual application: who is working, which area, which language."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.signal import Signal
from textual.theme import Theme

from docassist import i18n, locations, procedures
from docassist.crashlog import write_crash_log
from docassist.domain.model import REGISTER_ROLES, Role
from docassist.domain.text import N_
from docassist.i18n import _, ngettext
from docassist.services import users
from docassist.services.context import Context
from docassist.services.session import Session
from docassist.services.settings import load_settings
from docassist.services.users import User
from docassist.store.database import Database
from docassist.store.db import explain_database_error, open_database
from docassist.ui.base import Translated
from docassist.ui.commands import COMMANDS as APP_COMMANDS
from docassist.ui.commands import (
    SESSION_ACTIONS,
    AppCommands,
    DocCommandPalette,
    allowed,
    bindings,
)
from docassist.ui.door import RegisterDoor
from docassist.ui.idle import IdleWatch
from docassist.ui.stylesheet import CachedStylesheet, ParsedCss

if TYPE_CHECKING:
    from docassist.services.drafts import Draft

# The account services (Argon2 and the key files) and the drafts are imported where
# they are used: the sign-in screen and a sign-out, lock or hang-up need them, a start
# signed in does not (together a tenth of the imports of the household list's start).

HIGH_CONTRAST = Theme(
    name="docassist-high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FFFF00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    success="#00FF00",
    warning="#FFA500",
    error="#FF4040",
    dark=True,
)
NORMAL_THEME = "textual-dark"
STANDING_EVERY = 300.0  # seconds between readings of the sync standing in the title
# The id of the question Ctrl+Q asks when typing would be lost.
QUIT_QUESTION = "quit-question"


# Each area's first screen is imported when the area is first opened, not at start:
# importing them all before the first frame (reports, exports, the workshop and its
# handouts) cost every start about 0.2 s of CPU, for areas most sessions never open.


def _register_screen() -> Screen:
    from docassist.ui.screens.register import HouseholdListScreen

    return HouseholdListScreen()


def _dashboard_screen() -> Screen:
    from docassist.ui.screens.dashboard import DashboardScreen

    return DashboardScreen()


def _workshop_screen() -> Screen:
    from docassist.ui.screens.workshop import WorkshopScreen

    return WorkshopScreen()


def _reports_screen() -> Screen:
    from docassist.ui.screens.reports import ReportsScreen

    return ReportsScreen()


def _sign_in_screen() -> Screen:
    from docassist.ui.screens.sign_in import SignInScreen

    return SignInScreen()


# The mode of the sign-in screen (and of what it leads to before a session starts:
# the recovery key, a passphrase to choose). Its own stack, so that signing out closes
# every area's screens and leaves nothing of them under the sign-in screen.
SIGN_IN_MODE = "sign-in"

MODE_SCREENS: dict[str, Callable[[], Screen]] = {
    "cases": _register_screen,
    "dashboard": _dashboard_screen,
    "workshop": _workshop_screen,
    "reports": _reports_screen,
}


def home_mode(role: Role | None) -> str:
    """Where a person's work starts: the register, or (a trainee's) practice."""
    return "cases" if role in REGISTER_ROLES else "practice"


class DocAssistApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "docassist"
    COMMANDS = {AppCommands}
    # Escape on an area's first screen (the dashboard, the workshop setup) had
    # nowhere to go; it now goes home. Screens that bind Escape keep their own.
    BINDINGS = [*bindings(), Binding("escape", "home", show=False)]

    def __init__(
        self,
        db_path: Path | str,
        *,
        demo: bool = False,
        language: str | None = None,
        user_id: str | None = None,
        idle_seconds: float | None = None,
        idle_clock: Callable[[], float] = time.monotonic,
    ):
        """``user_id``: start signed in as that user, without a passphrase: for tests
        and tools on plaintext registers only (an encrypted one opens at a sign-in).
        ``idle_seconds`` and ``idle_clock``: the idle lock's limit (else the setting)
        and its clock (tests give a fake one)."""
        self.db_path = Path(db_path)
        # A plaintext register is opened now; an encrypted one at the first sign-in.
        self.door = RegisterDoor(self.db_path)
        direct_user = users.get_user(self.ctx, user_id) if user_id else None
        self._direct = self._direct_session(direct_user) if direct_user else None
        # Textual makes the first screen when it composes the app, from the mode
        # named DEFAULT_MODE, which App.__init__ reads: the sign-in's, or a direct
        # session's home, is named here, before it. Switched to from on_mount, every
        # start also mounted, styled and laid out an empty default screen, then
        # left it: about 0.1 G instructions, a quarter of what the household list
        # cost beyond a bare Textual app. Per instance, as it depends on who starts.
        first = home_mode(self._direct.role) if self._direct else SIGN_IN_MODE
        self.DEFAULT_MODE = first  # type: ignore[misc]  # a ClassVar in Textual
        super().__init__()
        self._add_area_modes()
        self.add_mode(SIGN_IN_MODE, _sign_in_screen)
        self._parsed_css = ParsedCss()
        self.stylesheet = CachedStylesheet(
            variables=self.get_css_variables(), parsed=self._parsed_css
        )
        self.demo = demo
        self.language_changed: Signal[str] = Signal(self, "language-changed")
        self.session: Session | None = None
        self.user: User | None = None
        self._told_about_skipped_checklists = False
        settings = load_settings()
        self.settings = settings
        self._settings_problems = list(settings.problems)
        self.idle = IdleWatch(
            idle_seconds if idle_seconds is not None else settings.idle_seconds, idle_clock
        )
        self.locked = False
        self._closing_for_hang_up = False
        self._held_notes: list[dict[str, Any]] = []
        # A language asked for now (--lang, or picked on the sign-in screen) wins
        # over the one the user chose last time, and becomes the remembered one.
        self._language_given = bool(language)
        self._language_asked = bool(language)
        if language:
            i18n.set_language(language)
        if direct_user is not None:
            # Its first screen is made when Textual composes the app, before on_mount
            # starts the session: it is made for this user, in their language.
            self.session = self._direct
            self.user = direct_user
            if not language and direct_user.language:
                i18n.set_language(direct_user.language)
        self.register_theme(HIGH_CONTRAST)
        _freeze_imports()

    @cached_property
    def checklists(self) -> procedures.ChecklistSet:
        """The checklists in use, loaded when a screen first needs them (the first
        screen does not). A broken user checklist is reported and skipped."""
        return procedures.load_all()

    @property
    def db(self) -> Database:
        if self.door.db is None:
            raise RuntimeError("the register is opened at the first sign-in")
        return self.door.db

    @property
    def ctx(self) -> Context:
        """The register's context; screens that show anything of it come after a
        sign-in, when it is open."""
        if self.door.ctx is None:
            raise RuntimeError("the register is opened at the first sign-in")
        return self.door.ctx

    @property
    def role(self) -> Role | None:
        return self.session.role if self.session else None

    def on_mount(self) -> None:
        if not self.is_headless and _terminal_attached():
            # Textual reads a hung-up terminal (window closed while `make run` held
            # it) as endless empty input and spins at full CPU with the register
            # open; leave cleanly instead.
            self.set_interval(2, self._exit_if_terminal_gone)
            self._handle_hang_up()
        self.set_interval(self.idle.check_every(), self._check_idle)
        # The last sync and the note about changes waiting for days are read again now
        # and then: an app left open over days shows them as they are, not as at start.
        self.set_interval(STANDING_EVERY, self._set_titles)
        if self._direct is not None:
            self.start_session(self._direct)

    def _add_area_modes(self) -> None:
        for mode, make_screen in MODE_SCREENS.items():
            self.add_mode(mode, make_screen)
        self.add_mode("practice", self._practice_screen)

    # -- who is working ------------------------------------------------------

    def _direct_session(self, user: User) -> Session:
        """The test entry's session (``user_id=``): the user as the register has them,
        signed in without a passphrase on a plaintext register."""
        here = self.db_path.resolve()
        register = here if user.role in REGISTER_ROLES else locations.practice_database()
        if user.role in REGISTER_ROLES:
            self.ctx.user_id = user.id
        return Session(user.id, user.name, user.role, register, here)

    def start_session(self, session: Session) -> None:
        """``session`` works now: its language, its home (a trainee's is Practice and
        only Practice), the idle lock counting from now."""
        self.session = session
        user = users.get_user(self.ctx, session.user_id)
        self.user = user
        current = i18n.current_language().code
        if self._language_asked or not user.language:
            if user.language != current:
                self._remember_language(user.id, current)
        elif user.language != current:
            self.choose_language(user.language)
        self._set_titles()
        self.locked = False
        self.idle.touch()
        if self.current_mode != self._home():  # a direct session starts there
            self.action_mode(self._home())
        # The next sign-in starts on a fresh screen: nothing typed there stays behind.
        self.remove_mode(SIGN_IN_MODE)
        self.add_mode(SIGN_IN_MODE, _sign_in_screen)
        self.refresh_bindings()
        self._tell_about_skipped_checklists()
        self._tell_about_settings()

    def _home(self) -> str:
        return home_mode(self.role)

    def unsaved_work(self) -> list[str]:
        """What the session's open forms hold that is not saved yet, as each form names
        itself ("New household"): never a family's name, as it is shown over the lock."""
        found: list[str] = []
        # Every area's screens, not only the current one's: a form left open under the
        # Register while the workshop is shown is lost just the same.
        for stack in self._screen_stacks.values():
            for screen in stack:
                if isinstance(screen, Translated):
                    what = screen.unsaved_work()
                    if what:
                        found.append(what)
        return found

    def action_sign_out(self) -> None:
        if self.session is None or self.locked:
            return
        self.leave_session()

    def leave_session(self) -> None:
        """Sign out, asking first when typing would be lost; the sign-in screen
        follows, for the next person (the lock's "Someone else" too)."""
        from docassist.ui.dialogs import ConfirmDialog
        from docassist.ui.screens.lock import discard_warning

        lost = self.unsaved_work()
        if not lost:
            self.run_worker(self._end_session(), group="session", exclusive=True)
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.run_worker(self._end_session(), group="session", exclusive=True)

        name = self.session.name if self.session else ""
        self.push_screen(
            ConfirmDialog(
                lambda: discard_warning(name, lost),
                title=lambda: _("Sign out?"),
                confirm_label=N_("Sign out and discard"),
                cancel_label=N_("Stay"),
                danger=True,
                cancel_first=True,
            ),
            answered,
        )

    async def _end_session(self) -> None:
        """The session's screens are closed (unsaved typing in them is dropped) and the
        sign-in screen shown."""
        from docassist.services import accounts
        from docassist.ui.busy import busy_error, say_busy

        session = self.session
        unrecorded = None
        if session is not None:
            try:
                accounts.sign_out(self.ctx, session)
            except Exception as err:
                # Signing out must happen even when the register is too busy to
                # record it: the screens close all the same, and the note says so.
                unrecorded = busy_error(err, self.db_path)
                if unrecorded is None:
                    raise
        self.session = None
        self.user = None
        self.locked = False
        self._held_notes.clear()
        self.clear_notifications()
        if unrecorded is not None:
            say_busy(self, unrecorded)
        self._language_asked = self._language_given
        await self.switch_mode(SIGN_IN_MODE)
        for mode in [*MODE_SCREENS, "practice"]:
            await self.remove_mode(mode)
        self._add_area_modes()
        self._set_titles()
        self.refresh_bindings()

    # -- the lock ---------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        # Every key and click reaches the app first (before any screen): the one place
        # to see that someone is still there.
        if isinstance(
            event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)
        ):
            self.idle.touch()
        elif isinstance(event, events.Compose):
            # Textual makes the first screen now; no cycle collection until its first
            # frame (see _freeze_imports). Its first frame has the titles, read with
            # the clock the app has by now (tests set theirs after making the app).
            gc.disable()
            self.call_after_refresh(_collect_again)
            self._set_titles()
        await super().on_event(event)

    def _check_idle(self) -> None:
        if self.session is not None and not self.locked and self.idle.due():
            self.lock(idle=True)

    def action_lock(self) -> None:
        if self.session is not None and not self.locked:
            self.lock(idle=False)

    def lock(self, *, idle: bool) -> None:
        """Cover every screen (recorded in the audit trail); the work underneath stays
        as it is."""
        from docassist.ui.screens.lock import LockScreen

        assert self.session is not None
        self.locked = True
        # A note on screen may name a family ("Saved: Petrović").
        self.clear_notifications()
        self.push_screen(LockScreen(idle=idle))
        self.refresh_bindings()
        # Covered first: a register too busy to take the entry must not leave the
        # screen open. The lock matters more than its record: a busy register locks
        # all the same, without the entry.
        from docassist.services import accounts
        from docassist.ui.busy import busy_error

        try:
            accounts.record_lock(self.ctx, self.session, idle=idle)
        except Exception as err:
            if busy_error(err, self.db_path) is None:
                raise

    def unlock(self) -> None:
        """The same user's passphrase was typed: back to the work as it was."""
        from docassist.ui.screens.lock import LockScreen

        if isinstance(self.screen, LockScreen):
            self.pop_screen()
        self.locked = False
        self.idle.touch()
        self.refresh_bindings()
        held, self._held_notes = self._held_notes, []
        for note in held:
            self.notify(**note)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        # What comes while the screen is locked (a worker finishing) waits for the
        # unlock: it may name someone, and it must not be lost either.
        if self.locked:
            self._held_notes.append(
                {
                    "message": message,
                    "title": title,
                    "severity": severity,
                    "timeout": timeout,
                    "markup": markup,
                }
            )
            return
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def _tell_about_skipped_checklists(self) -> None:
        """Once per start, in the user's language: which checklist files were left out.

        Said at the first sign-in rather than on mount, because the language is only
        settled then (the start screen may change it).
        """
        if self._told_about_skipped_checklists:
            return
        self._told_about_skipped_checklists = True
        # Remembered from the last start when no checklist file (nor docassist)
        # changed since: loading them all here cost each start 0.1 s.
        skipped = procedures.skipped_files(lambda: self.checklists)
        if not skipped:
            return
        message = ngettext(
            "A checklist file has problems and was not loaded: {files}. "
            "Run `docassist checklists validate` to see what to fix.",
            "{n} checklist files have problems and were not loaded: {files}. "
            "Run `docassist checklists validate` to see what to fix.",
            len(skipped),
        ).format(n=len(skipped), files=", ".join(path.name for path in skipped))
        self.notify(message, severity="warning", timeout=20, markup=False)

    def _tell_about_settings(self) -> None:
        """A settings file that could not be used, said once, after the first sign-in."""
        problems, self._settings_problems = self._settings_problems, []
        for problem in problems:
            self.notify(problem.render(_), severity="warning", timeout=20, markup=False)

    def _practice_screen(self) -> Screen:
        from docassist.ui.screens.practice_session import PracticeScreen

        return PracticeScreen(self.user.name if self.user else "")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Before a sign-in and while locked, only what shows nothing of the register
        works (help, language, contrast, quit); the screen's own keys do the rest.
        Signed in, every key works: one the role may not use says so (``action_mode``)."""
        if self.session is None or self.locked:
            return action not in SESSION_ACTIONS
        return True

    def action_home(self) -> None:
        """Back to where this person's work starts: the register, or practice."""
        if self.session is None:
            return
        home = self._home()
        if self.current_mode != home and home in self._modes:
            self.switch_mode(home)

    def action_mode(self, mode: str) -> None:
        if mode not in self._modes:
            self.notify(_("This part of docassist is not available yet."), severity="warning")
            return
        command = next((c for c in APP_COMMANDS if c.action == f"mode('{mode}')"), None)
        if command is not None and not allowed(command, self.role):
            self._refuse_register()
            return
        if mode == self.current_mode:
            self._to_area_start()
            return
        self.switch_mode(mode)

    def _to_area_start(self) -> None:
        """The key of the area one is in leads to its first screen (F5 on a case opened
        from the dashboard: back to the dashboard), as it would from another area.

        A form or a dialog on top stays: it has its own way out, which asks before
        typed input is lost.
        """
        from docassist.ui.screens.form import FormScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, (FormScreen, ModalScreen)):
            self.pop_screen()

    # -- navigation: screens ask the app, so they need not import each other --

    def _register_allowed(self) -> bool:
        if self.role in REGISTER_ROLES:
            return True
        self._refuse_register()
        return False

    def _refuse_register(self) -> None:
        from docassist.services import accounts

        self.notify(_(accounts.TRAINEE_REFUSAL), severity="warning")

    def open_household(self, household_id: str) -> None:
        if not self._register_allowed():
            return
        from docassist.ui.screens.household import HouseholdScreen

        self.push_screen(HouseholdScreen(household_id))

    def open_case(self, case_id: str) -> None:
        if not self._register_allowed():
            return
        from docassist.ui.screens.case import CaseScreen

        self.push_screen(CaseScreen(case_id))

    def register_household(self) -> None:
        if not self._register_allowed():
            return
        from docassist.ui.screens.household_form import HouseholdFormScreen

        self.push_screen(HouseholdFormScreen())

    def action_import_households(self) -> None:
        if self.session is None or not self._register_allowed():
            return
        from docassist.ui.screens.import_households import ImportScreen

        if not isinstance(self.screen, ImportScreen):
            self.push_screen(ImportScreen())

    def action_sync(self) -> None:
        """Sync with the hub in a worker (the screens stay usable), on a connection of
        its own: its transactions must not take in what the screens write meanwhile."""
        if self.user is None or not self._register_allowed():
            return
        self.notify(_("Syncing with the hub…"))
        self.run_worker(self._sync, thread=True, exclusive=True, group="sync")

    def _sync(self) -> None:
        from docassist.domain.text import UserError
        from docassist.services import sync

        key = self.ctx.db_key
        db = open_database(self.db_path, create=False, key=key)
        try:
            ctx = Context(
                db, user_id=self.ctx.user_id, today=self.ctx.today, now=self.ctx.now, db_key=key
            )
            summary = sync.sync(ctx)
        except UserError as err:
            self.call_from_thread(self.notify, err.render(_), severity="warning", timeout=10)
            return
        finally:
            db.close()
        self.call_from_thread(self.notify, summary.say())
        self.call_from_thread(self._set_titles)
        if summary.pulled or summary.conflicts:
            self.call_from_thread(self._records_arrived)

    def _records_arrived(self) -> None:
        # Only the screen in sight: one covered reads its records again as it resumes.
        screen = self.screen
        if isinstance(screen, Translated):
            screen.records_arrived()

    # -- language, help, looks ------------------------------------------------

    def _set_titles(self) -> None:
        self.title = "docassist"
        parts = [_("Demo register (made-up families)") if self.demo else _("Register")]
        # the sync standing before the name: at 80 columns the header cuts the end off,
        # and it must stay in sight (the name is also on the users screen, Ctrl+T)
        parts += self._sync_standing()
        if self.user:
            parts.append(self.user.name)
        self.sub_title = " · ".join(parts)

    def _sync_standing(self) -> list[str]:
        """When this laptop last synced, always in sight once it has a hub; and a quiet
        note when its changes have waited for days."""
        if self.door.ctx is None:  # not opened before the first sign-in
            return []
        from docassist.services.sync_standing import standing as sync_standing

        standing = sync_standing(self.ctx)
        if standing is None:
            return []
        from datetime import datetime

        # Short, for the title keeps them in sight at 80 columns: the time of a sync
        # made today, else its date; and how many days changes have waited.
        parts = [_("never synced")]
        if standing.last_sync_at:
            when = datetime.fromisoformat(standing.last_sync_at).astimezone()
            today = datetime.fromisoformat(self.ctx.now()).astimezone().date()
            shown = (
                i18n.format_time(when) if when.date() == today else i18n.format_date(when.date())
            )
            parts = [_("synced {when}").format(when=shown)]
        if standing.waiting_since:
            parts.append(
                ngettext("unsent {n} day", "unsent {n} days", standing.waiting_days).format(
                    n=standing.waiting_days
                )
            )
        return parts

    def choose_language(self, code: str) -> None:
        """Change the language everywhere, at once, without a restart; remember it."""
        i18n.set_language(code)
        if self.user:
            self._remember_language(self.user.id, code)
        else:
            self._language_asked = True
        self._set_titles()
        self.language_changed.publish(code)
        self.refresh_bindings()

    def _remember_language(self, user_id: str, code: str) -> None:
        """The user's language, kept for their next sign-in; a busy register keeps the
        switch on screen and says the choice was not saved (the next switch saves it)."""
        from docassist.ui.busy import busy_error, say_busy

        try:
            users.set_language(self.ctx, user_id, code)
        except Exception as err:
            busy = busy_error(err, self.db_path)
            if busy is None:
                raise
            say_busy(self, busy)

    def action_pick_language(self) -> None:
        from docassist.ui.dialogs import LanguageDialog

        if not isinstance(self.screen, LanguageDialog):
            self.push_screen(LanguageDialog())

    def action_help(self) -> None:
        from docassist.ui.dialogs import HelpDialog

        # F1 has priority (see commands.EVERYWHERE), so on the help screen it
        # arrives here rather than at the screen: it closes help, as it opened it.
        if isinstance(self.screen, HelpDialog):
            self.screen.dismiss()
        else:
            self.push_screen(HelpDialog(self.screen))

    async def action_quit(self) -> None:
        from docassist.ui.dialogs import ConfirmDialog
        from docassist.ui.screens.lock import discard_warning
        from docassist.ui.screens.sign_in import RecoveryKeyScreen

        # The recovery key is shown once: quitting before it is written down is asked.
        if isinstance(self.screen, RecoveryKeyScreen) and not self.screen.may_quit():
            return
        lost = self.unsaved_work()
        if not lost:
            await super().action_quit()
            return
        # Asked once: Ctrl+Q pressed again over the question is not a yes (a double
        # press out of habit must not throw the typing away).
        if isinstance(self.screen, ConfirmDialog) and self.screen.id == QUIT_QUESTION:
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.exit()

        name = self.session.name if self.session else ""
        self.push_screen(
            ConfirmDialog(
                lambda: discard_warning(name, lost),
                title=lambda: _("Quit docassist?"),
                confirm_label=N_("Quit and discard"),
                cancel_label=N_("Stay"),
                danger=True,
                cancel_first=True,
                id=QUIT_QUESTION,
            ),
            answered,
        )

    def action_users(self) -> None:
        from docassist.ui.screens.users import UsersScreen

        if self.session is not None and not isinstance(self.screen, UsersScreen):
            self.push_screen(UsersScreen())

    def action_conflicts(self) -> None:
        from docassist.ui.screens.conflicts import ConflictsScreen

        if self.role not in (Role.COORDINATOR, Role.ADMIN):
            from docassist.services.sync import RESOLVE_REFUSAL

            self.notify(_(RESOLVE_REFUSAL), severity="warning")
            return
        if not isinstance(self.screen, ConflictsScreen):
            self.push_screen(ConflictsScreen())

    def action_about(self) -> None:
        from docassist.ui.screens.about import AboutScreen

        self.push_screen(AboutScreen())

    def action_toggle_contrast(self) -> None:
        self.theme = NORMAL_THEME if self.theme == HIGH_CONTRAST.name else HIGH_CONTRAST.name

    def action_command_palette(self) -> None:
        # Textual's own palette greets in English; ours in the user's language.
        if self.use_command_palette and not DocCommandPalette.is_open(self):
            self.push_screen(DocCommandPalette())

    def get_system_commands(self, screen: Screen) -> Iterator[SystemCommand]:
        # Textual's own palette entries are English only; ours come from the
        # command table (AppCommands), so only a translated Quit is kept here.
        quit_command = next(c for c in APP_COMMANDS if c.action == "quit")
        yield SystemCommand(_(quit_command.label), _(quit_command.help), self.action_quit)

    # -- failure ----------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        # Only the first failure is reported: later ones are its consequences,
        # and Textual would add an English note about errors not shown.
        if getattr(self, "_crash", None) is None:
            self._crash = error
            super()._handle_exception(error)
        else:
            self._return_code = 1
            self._close_messages_no_wait()

    def _fatal_error(self) -> None:
        # Textual's report shows local variables: names and ID numbers on a
        # projected screen. Log the stack without values; show a short note.
        error = getattr(self, "_crash", None)
        known = explain_database_error(error, self.db_path)
        if known is not None:
            # Damage met deep in a large register (or a register that became
            # read-only): the store's own message says what to do; the stack
            # would tell the developers nothing.
            message = known.render(_)
        else:
            path = write_crash_log(error) if error else None
            message = _("docassist stopped because of an internal error. Saved work is safe.")
            if path:
                message += "\n" + _("Details for the developers (no personal data): {path}").format(
                    path=path
                )
        self.bell()
        # Text, not a str: Rich would read "[...]" in a path as markup and drop it.
        self._exit_renderables.append(Text(message))
        self._close_messages_no_wait()

    def _exit_if_terminal_gone(self) -> None:
        if not _terminal_attached():
            self.terminal_closed()

    def _handle_hang_up(self) -> None:
        """A closed window (SIGHUP) or a shutdown (SIGTERM) would end Python at once,
        with the typing of every open form lost and the terminal left raw: the loop
        handles them instead (between two messages, so no write is half done)."""
        loop = asyncio.get_running_loop()
        for number in (signal.SIGHUP, signal.SIGTERM):
            # No such signal here (Windows): the default stays.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(number, self.terminal_closed)

    def drafts_now(self) -> list[Draft]:
        """The unsaved typing of every open form and dialog, as drafts to keep."""
        found: list[Draft] = []
        for stack in self._screen_stacks.values():
            for screen in stack:
                if isinstance(screen, Translated):
                    draft = screen.draft()
                    if draft is not None:
                        found.append(draft)
        return found

    def terminal_closed(self) -> None:
        """The terminal is gone, so nobody can be asked: what the open forms hold
        unsaved is kept as drafts of the signed-in user (services/drafts.py), offered
        back when they open the same form again; then docassist ends as on Ctrl+Q."""
        if self._closing_for_hang_up:
            return
        self._closing_for_hang_up = True
        if self.session is not None and self.door.ctx is not None:
            try:
                from docassist.services import drafts

                kept = self.drafts_now()
                drafts.keep_drafts(self.ctx, kept)
            except Exception as err:  # the register busy or damaged: still end cleanly
                # What could not be kept is said in the log; nothing of it (the
                # typing) is written there.
                logging.getLogger(__name__).warning(
                    "drafts not kept at hang-up: %s", type(err).__name__
                )
        self.exit()

    def on_unmount(self) -> None:
        gc.enable()  # also when the app stops before its first frame
        self.door.close()
        self._parsed_css.save()  # the next start need not parse the CSS again


# Python's cycle collector and the start-up. Importing Textual and docassist and
# building the first screen make some 60,000 objects, and the collector walked them
# again and again before the first frame: 50-90 ms of CPU of a start (issue 12).
# What the imports made lives as long as the program (modules, classes, functions):
# it is frozen, set aside from every later collection, once per process (tests make
# many apps). And no collection runs while the first screen is built (on_mount).
_imports_frozen = False


def _freeze_imports() -> None:
    global _imports_frozen
    if not _imports_frozen:
        gc.freeze()
        _imports_frozen = True


def _collect_again() -> None:
    # A function of ours, not gc.enable itself: Textual reads a callback's parameters,
    # and a builtin's are parsed from its text signature, which compiled the tokenizer's
    # regular expressions at start, 10 ms for one call.
    gc.enable()


def _terminal_attached() -> bool:
    try:
        return sys.__stdin__ is not None and os.isatty(sys.__stdin__.fileno())
    except (AttributeError, ValueError, OSError):
        return False
