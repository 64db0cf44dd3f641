"""Ask where to save a handout, save it, and say where it went.

Offices often have no printer: the facilitator saves the PDF, carries it on a USB
stick to one that has. So the path is offered ready to accept (Enter), can be
changed to the stick, and the notification afterwards gives the full path.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from docassist.domain.text import N_
from docassist.i18n import _
from docassist.services import handouts
from docassist.ui.base import DocModal


class SaveHandoutScreen(DocModal, ModalScreen[Path | None]):
    """Dismisses with the path written, or None when cancelled."""

    DEFAULT_CSS = """
    SaveHandoutScreen {
        align: center middle;
        background: $background 60%;
    }
    SaveHandoutScreen > #save-box {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 1 2;
        border: thick $primary;
        background: $surface;
    }
    SaveHandoutScreen #save-title {
        text-style: bold;
        margin-bottom: 1;
    }
    SaveHandoutScreen #save-error {
        color: $error;
        height: auto;
    }
    SaveHandoutScreen #save-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    SaveHandoutScreen #save-buttons Button {
        margin-left: 2;
        min-width: 12;
    }
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, handout: handouts.Handout, title: str, ctx=None) -> None:
        super().__init__()
        self.handout = handout
        self.title_msgid = title  # a msgid, so a language switch redraws it
        self.ctx = ctx  # given for a family plan: saving it is audited
        self.path_text = str(handouts.default_path(handout))
        self.error = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="save-box"):
            yield Static(_(self.title_msgid), id="save-title", markup=False)
            yield Static(_("Save the PDF as (Enter saves):"), markup=False)
            yield Input(self.path_text, id="save-path")
            yield Static(self.error, id="save-error", markup=False)
            with Horizontal(id="save-buttons"):
                yield Button(_("Cancel"), id="save-cancel")
                yield Button(_("Save"), id="save-ok", variant="primary")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#save-path", Input).focus()

    @on(Input.Changed, "#save-path")
    def _typed(self, event: Input.Changed) -> None:
        self.path_text = event.value

    @on(Input.Submitted, "#save-path")
    @on(Button.Pressed, "#save-ok")
    def action_save(self) -> None:
        text = self.path_text.strip()
        if not text:
            self._fail(_("Type where to save the file."))
            return
        try:
            path = handouts.save(self.handout, text, self.ctx)
        except (OSError, ValueError) as err:  # ValueError: a path no system accepts
            where = getattr(err, "filename", None) or text
            reason = getattr(err, "strerror", None) or type(err).__name__
            self._fail(_("Cannot save to {path}: {reason}").format(path=where, reason=reason))
            return
        self.dismiss(path)
        self.app.notify(_("Saved: {path}").format(path=path), timeout=20)

    def _fail(self, message: str) -> None:
        self.error = message
        self.query_one("#save-error", Static).update(message)

    @on(Button.Pressed, "#save-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
