"""Ask where to save a file: the one "save where" dialog (handouts, reports, exports).

Offices often have no printer: the facilitator saves the PDF, carries it on a USB
stick to one that has. So the path is offered ready to accept (Enter), can be
changed to the stick, and the notification afterwards gives the full path.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from docassist.domain.text import N_, UserError
from docassist.i18n import _
from docassist.ui.busy import calm_when_busy
from docassist.ui.dialogs.base import Dialog, Words, button_row, words

if TYPE_CHECKING:
    from textual.app import App

    from docassist.services.context import Context
    from docassist.services.handouts import Handout


class SaveDialog(Dialog, ModalScreen[Path | None]):
    """Dismisses with the path written (or chosen), or None when cancelled.

    With ``save`` the dialog writes the file itself: ``save`` gets the typed text
    and returns the path written, and a place that cannot be written is said in
    the dialog, which stays open to fix it. Without it the dialog only asks: the
    caller writes, so it needs a file name, and a folder is refused.
    """

    DEFAULT_CSS = """
    SaveDialog > .dialog-box {
        width: 76;
        padding: 1 2;
    }
    SaveDialog #save-buttons Button {
        min-width: 12;
    }
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(
        self,
        title: Words,
        default: Path,
        *,
        hint: str = N_("Save to (folder and file name):"),
        save: Callable[[str], Path] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint  # a msgid, so a language switch redraws it
        self.save = save
        self.path_text = self._default_text = str(default)
        self.error = ""

    def unsaved_work(self) -> str | None:
        # The title is the handout's kind ("Family plan"), never the family's name.
        return words(self.title_text) if self.path_text != self._default_text else None

    def compose(self) -> ComposeResult:
        with Vertical(id="save-box", classes="dialog-box"):
            yield Static(words(self.title_text), classes="dialog-title", markup=False)
            yield Static(_(self.hint), markup=False)
            yield Input(self.path_text, id="path")
            yield Static(self.error, id="error", classes="dialog-error", markup=False)
            yield button_row(
                Button(_("Cancel"), id="cancel"),
                Button(_("Save"), id="ok", variant="primary"),
                id="save-buttons",
            )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#path", Input).focus()

    @on(Input.Changed, "#path")
    def _typed(self, event: Input.Changed) -> None:
        self.path_text = event.value

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#ok")
    @calm_when_busy
    def action_save(self) -> None:
        text = self.path_text.strip()
        if not text:
            self._fail(_("Type where to save the file."))
            return
        # The check every command that writes a file makes: never over the register,
        # its -wal/-shm, or a backup.
        from docassist.locations import backups_dir
        from docassist.store.db import StoreError, refuse_overwrite

        try:
            refuse_overwrite(text, self.app.db_path, (backups_dir(),))
        except StoreError as err:
            self._fail(err.render(_))
            return
        if self.save is None:
            self._choose(Path(text).expanduser())
            return
        try:
            written = self.save(text)
        except (OSError, ValueError) as err:  # ValueError: a path no system accepts
            self._fail(cannot_save(err, text))
            return
        self.dismiss(written)

    def _choose(self, path: Path) -> None:
        """Give ``path`` to the caller, who writes it after the dialog has closed: a
        missing folder (a USB stick not plugged in) is said here first, while what was
        typed can still be fixed. Other failures are the caller's to say."""
        from docassist.locations import MissingFolderError, chosen_folder

        if path.is_dir():
            self._fail(_("That is a folder: add a file name."))
            return
        try:
            chosen_folder(path.parent)
        except MissingFolderError as err:
            self._fail(err.render(_))
            return
        except OSError:
            pass  # a file where the folder should be: the caller says it, as before
        self.dismiss(path)

    def _fail(self, message: str) -> None:
        self.error = message
        self.query_one("#error", Static).update(message)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def cannot_save(err: OSError | ValueError, typed: str) -> str:
    """One line saying why a file could not be saved where the user said.

    A missing folder says so in the user's words (a USB stick not plugged in); any
    other failure names the place and the system's reason."""
    if isinstance(err, UserError):
        return err.render(_)
    where = getattr(err, "filename", None) or typed
    reason = getattr(err, "strerror", None) or type(err).__name__
    return _("Cannot save to {path}: {reason}").format(path=where, reason=reason)


def save_handout(app: App, handout: Handout, title: str, ctx: Context | None = None) -> None:
    """Ask where to save a printable handout, write it there and say where it went.

    ``title`` is a msgid. ``ctx`` is given for a family plan: saving it is audited.
    """
    # Imported here: the PDF code is loaded when a handout is first saved, not at start.
    from docassist.services import handouts

    def saved(path: Path | None) -> None:
        if path is not None:
            app.notify(_("Saved: {path}").format(path=path), timeout=20)

    app.push_screen(
        SaveDialog(
            lambda: _(title),
            handouts.default_path(handout),
            hint=N_("Save the PDF as (Enter saves):"),
            save=lambda text: handouts.save(handout, text, ctx),
        ),
        saved,
    )
