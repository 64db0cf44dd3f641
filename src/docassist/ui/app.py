"""The docassist Textual application: who is working, which area, which language."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path

from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.signal import Signal
from textual.theme import Theme

from docassist import i18n, procedures
from docassist.crashlog import write_crash_log
from docassist.domain.model import REGISTER_ROLES, Role
from docassist.i18n import _, ngettext
from docassist.services import users
from docassist.services.context import Context
from docassist.services.users import User
from docassist.store.db import explain_database_error, open_database
from docassist.ui.commands import COMMANDS as APP_COMMANDS
from docassist.ui.commands import (
    AppCommands,
    DocCommandPalette,
    allowed,
    bindings,
)
from docassist.ui.stylesheet import CachedStylesheet, ParsedCss

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


MODE_SCREENS: dict[str, Callable[[], Screen]] = {
    "cases": _register_screen,
    "dashboard": _dashboard_screen,
    "workshop": _workshop_screen,
    "reports": _reports_screen,
}


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
    ):
        super().__init__()
        self._parsed_css = ParsedCss()
        self.stylesheet = CachedStylesheet(
            variables=self.get_css_variables(), parsed=self._parsed_css
        )
        self.db_path = Path(db_path)
        self.demo = demo
        self.db = open_database(db_path)
        self.ctx = Context(self.db)
        self.language_changed: Signal[str] = Signal(self, "language-changed")
        self.user: User | None = None
        self._initial_user = user_id
        self._told_about_skipped_checklists = False
        # A language asked for now (--lang, or picked on the start screen) wins
        # over the one the user chose last time, and becomes the remembered one.
        self._language_asked = bool(language)
        if language:
            i18n.set_language(language)
        self.register_theme(HIGH_CONTRAST)

    @cached_property
    def checklists(self) -> procedures.ChecklistSet:
        """The checklists in use, loaded when a screen first needs them (the first
        screen does not). A broken user checklist is reported and skipped."""
        return procedures.load_all()

    @property
    def role(self) -> Role | None:
        return self.user.role if self.user else None

    def on_mount(self) -> None:
        self._set_titles()
        for mode, make_screen in MODE_SCREENS.items():
            self.add_mode(mode, make_screen)
        self.add_mode("practice", self._practice_screen)
        if not self.is_headless and _terminal_attached():
            # Textual reads a hung-up terminal (window closed while `make run` held
            # it) as endless empty input and spins at full CPU with the register
            # open; leave cleanly instead.
            self.set_interval(2, self._exit_if_terminal_gone)
        if self._initial_user:
            self.sign_in(users.get_user(self.ctx, self._initial_user))
        else:
            from docassist.ui.screens.start import StartScreen

            self.push_screen(StartScreen())

    # -- who is working ------------------------------------------------------

    def sign_in(self, user: User) -> None:
        """Remember who works; a trainee only ever reaches Practice."""
        self.user = user
        self.ctx.user_id = user.id
        current = i18n.current_language().code
        if self._language_asked or not user.language:
            if user.language != current:
                users.set_language(self.ctx, user.id, current)
        elif user.language != current:
            self.choose_language(user.language)
        self._set_titles()
        # Not imported just to ask: a start with its user given (user_id=) never shows it.
        start = sys.modules.get("docassist.ui.screens.start")
        if start is not None and isinstance(self.screen, start.StartScreen):
            self.pop_screen()
        self.action_mode("cases" if user.role in REGISTER_ROLES else "practice")
        self.refresh_bindings()
        self._tell_about_skipped_checklists()

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

    def _practice_screen(self) -> Screen:
        from docassist.ui.screens.practice_session import PracticeScreen

        return PracticeScreen(self.user.name if self.user else "")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Area keys appear once someone is signed in, and only for their role."""
        if action == "mode":
            if self.user is None:
                return False
            command = next(
                (c for c in APP_COMMANDS if c.action == f"mode('{parameters[0]}')"), None
            )
            return command is None or allowed(command, self.role)
        if action == "import_households":
            return self.role in REGISTER_ROLES
        return True

    def action_home(self) -> None:
        """Back to where this person's work starts: the register, or practice."""
        if self.user is None:
            return
        home = "cases" if self.user.role in REGISTER_ROLES else "practice"
        if self.current_mode != home and home in self._modes:
            self.switch_mode(home)

    def action_mode(self, mode: str) -> None:
        if mode not in self._modes:
            self.notify(_("This part of docassist is not available yet."), severity="warning")
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
        if self.role != Role.TRAINEE:
            return True
        self.notify(_("Trainees practise on made-up families only."), severity="warning")
        return False

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
        if self.user is None or not self._register_allowed():
            return
        from docassist.ui.screens.import_households import ImportScreen

        if not isinstance(self.screen, ImportScreen):
            self.push_screen(ImportScreen())

    # -- language, help, looks ------------------------------------------------

    def _set_titles(self) -> None:
        self.title = "docassist"
        parts = [_("Demo register (made-up families)") if self.demo else _("Register")]
        if self.user:
            parts.append(self.user.name)
        self.sub_title = " · ".join(parts)

    def choose_language(self, code: str) -> None:
        """Change the language everywhere, at once, without a restart; remember it."""
        i18n.set_language(code)
        if self.user:
            users.set_language(self.ctx, self.user.id, code)
        else:
            self._language_asked = True
        self._set_titles()
        self.language_changed.publish(code)
        self.refresh_bindings()

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
        yield SystemCommand(
            _("Quit"), _("Close docassist. Everything is already saved."), self.exit
        )

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
            self.exit()

    def on_unmount(self) -> None:
        self.db.close()
        self._parsed_css.save()  # the next start need not parse the CSS again


def _terminal_attached() -> bool:
    try:
        return sys.__stdin__ is not None and os.isatty(sys.__stdin__.fileno())
    except (AttributeError, ValueError, OSError):
        return False
