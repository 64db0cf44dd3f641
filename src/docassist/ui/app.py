"""The docassist Textual application."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.signal import Signal

from docassist import i18n
from docassist.crashlog import write_crash_log
from docassist.domain.text import N_
from docassist.checklist import load_all
from docassist.i18n import _
from docassist.services.context import Context
from docassist.store.db import open_database


class DocAssistApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "docassist"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("ctrl+q", "quit", N_("Quit"), priority=True),
        Binding("f2", "next_language", N_("Language")),
    ]

    def __init__(self, db_path: Path | str, *, demo: bool = False, language: str | None = None):
        super().__init__()
        self.db_path = Path(db_path)
        self.demo = demo
        self.db = open_database(db_path)
        self.ctx = Context(self.db)
        # A broken user checklist is reported and skipped; the app still starts.
        self.checklists = load_all()
        self.language_changed: Signal[str] = Signal(self, "language-changed")
        if language:
            i18n.set_language(language)

    def on_mount(self) -> None:
        from docassist.ui.screens.households import HouseholdListScreen

        self._set_titles()
        self.push_screen(HouseholdListScreen())

    # -- navigation: screens ask the app, so they need not import each other --

    def open_household(self, household_id: str) -> None:
        from docassist.ui.screens.household import HouseholdScreen

        self.push_screen(HouseholdScreen(household_id))

    def open_case(self, case_id: str) -> None:
        from docassist.ui.screens.case import CaseScreen

        self.push_screen(CaseScreen(case_id))

    def register_household(self) -> None:
        from docassist.ui.screens.household_form import HouseholdFormScreen

        self.push_screen(HouseholdFormScreen())

    def _set_titles(self) -> None:
        self.title = "docassist"
        self.sub_title = _("Demo register (made-up families)") if self.demo else _("Register")

    def switch_language(self, code: str) -> None:
        """Change the language everywhere, at once, without a restart."""
        i18n.set_language(code)
        self._set_titles()
        self.language_changed.publish(code)

    def action_next_language(self) -> None:
        codes = [lang.code for lang in i18n.LANGUAGES]
        current = i18n.current_language().code
        self.switch_language(codes[(codes.index(current) + 1) % len(codes)])

    def _handle_exception(self, error: Exception) -> None:
        self._crash = error
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        # Textual's report shows local variables: names and ID numbers on a
        # projected screen. Log the stack without values; show a short note.
        error = getattr(self, "_crash", None)
        path = write_crash_log(error) if error else None
        message = _("docassist stopped because of an internal error. Saved work is safe.")
        if path:
            message += "\n" + _("Details for the developers (no personal data): {path}").format(
                path=path
            )
        self.bell()
        self._exit_renderables.append(message)
        self._close_messages_no_wait()

    def on_unmount(self) -> None:
        self.db.close()
