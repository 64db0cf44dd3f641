""" "Is this already in the register?": the dialog a form shows before saving.

The person form asks about people, the household form about families; both ask
the same way. The dialog dismisses with (choice, household id): "save" (someone
else, save anyway), "open" (go to the highlighted candidate's household) or
"back" (return to the form, nothing lost).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Static

from docassist.domain.text import N_
from docassist.i18n import _
from docassist.ui.base import DocModal


class DuplicateDialog(DocModal, ModalScreen[tuple[str, str | None]]):
    """The frame, keys and buttons; subclasses say what looks alike and list it.

    ``candidates`` are anything with a ``household_id``, in the table's row order.
    """

    DEFAULT_CSS = """
    DuplicateDialog {
        align: center middle;
        background: $background 60%;
    }
    DuplicateDialog > #dup-box {
        width: 96;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 0 1;
        border: thick $warning;
        background: $surface;
    }
    DuplicateDialog #dup-message {
        height: auto;
        margin-bottom: 1;
    }
    DuplicateDialog DataTable {
        height: auto;
        max-height: 8;
    }
    DuplicateDialog #dup-buttons {
        height: auto;
        margin-top: 1;
    }
    DuplicateDialog #dup-buttons Button {
        margin-right: 1;
    }
    /* Below 100 columns the three buttons do not fit side by side in Serbian or
       Romani (the last was cut): they stand one under the other, one line each. */
    DuplicateDialog.-narrow #dup-buttons {
        layout: vertical;
    }
    DuplicateDialog.-narrow #dup-buttons Button {
        width: 100%;
        height: 1;
        min-width: 0;
        border: none;
        margin: 0 0 1 0;
    }
    DuplicateDialog.-narrow #dup-buttons Button:last-of-type {
        margin: 0;
    }
    DuplicateDialog.-narrow #dup-buttons #open {
        background: $panel;  /* without its border it would read as plain text */
    }
    """

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    BINDINGS = [
        Binding("escape", "choose('back')", N_("Back to the form")),
        Binding("o", "choose('open')", N_("Open their household")),
    ]

    def __init__(self, candidates: list) -> None:
        super().__init__()
        self.candidates = candidates

    # What each kind of candidate says for itself: DuplicateScreen (people) and
    # HouseholdDuplicateScreen (families) fill these in; the dialog is the rest.

    def message(self) -> str:
        raise NotImplementedError

    def fill(self, table: DataTable) -> None:
        """Columns, then one row per candidate, in order."""
        raise NotImplementedError

    def save_label(self) -> str:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(id="dup-box"):
            yield Static(self.message(), id="dup-message", markup=False)
            table = DataTable(id="dup-table", cursor_type="row")
            self.fill(table)
            yield table
            with Horizontal(id="dup-buttons"):
                yield Button(self.save_label(), id="save", variant="warning")
                yield Button(_("Open the existing household"), id="open")
                yield Button(_("Back to the form"), id="back", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#back", Button).focus()

    def _highlighted_household(self) -> str | None:
        table = self.query_one(DataTable)
        if not self.candidates:
            return None
        row = min(max(table.cursor_row, 0), len(self.candidates) - 1)
        return self.candidates[row].household_id

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_choose(event.button.id or "back")

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_choose("open")

    def action_choose(self, choice: str) -> None:
        self.dismiss((choice, self._highlighted_household() if choice == "open" else None))
