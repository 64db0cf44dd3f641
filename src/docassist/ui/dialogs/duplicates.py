""" "Is this already in the register?": the dialogs that ask before saving someone twice.

The person form asks about people (``PersonDuplicateDialog``), the household form
about families (``HouseholdDuplicateDialog``); both ask the same way through
``DuplicateDialog``, which dismisses with (choice, household id): "save" (someone
else, save anyway), "open" (go to the highlighted candidate's household) or "back"
(return to the form, nothing lost). At a workshop, the quick-add form asks person by
person with ``AttendeeDuplicateDialog``: save anyway, use the existing person, or back.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, OptionList, Static
from textual.widgets.option_list import Option

from docassist.domain.dates import PartialDate
from docassist.domain.script import search_key
from docassist.domain.text import N_
from docassist.i18n import _, ngettext
from docassist.services import households as hh
from docassist.ui.birth_dates import shown_birth_date
from docassist.ui.dialogs.base import Dialog, button_row
from docassist.ui.widgets.fast_table import FastTable


class DuplicateDialog(Dialog, ModalScreen[tuple[str, str | None]]):
    """The frame, keys and buttons; subclasses say what looks alike and list it.

    ``candidates`` are anything with a ``household_id``, in the table's row order.
    """

    DEFAULT_CSS = """
    DuplicateDialog > .dialog-box {
        width: 96;
        border: thick $warning;
    }
    DuplicateDialog #dup-message {
        height: auto;
        margin-bottom: 1;
    }
    DuplicateDialog DataTable {
        height: auto;
        max-height: 8;
    }
    DuplicateDialog #dup-buttons Button {
        margin: 0 0 0 1;
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

    # What each kind of candidate says for itself: PersonDuplicateDialog (people)
    # and HouseholdDuplicateDialog (families) fill these in; the dialog is the rest.

    def message(self) -> str:
        raise NotImplementedError

    def fill(self, table: DataTable) -> None:
        """Columns, then one row per candidate, in order."""
        raise NotImplementedError

    def save_label(self) -> str:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(id="dup-box", classes="dialog-box"):
            yield Static(self.message(), id="dup-message", markup=False)
            table: DataTable = FastTable(id="dup-table", cursor_type="row")
            self.fill(table)
            yield table
            yield button_row(
                Button(_("Back to the form"), id="back", variant="primary"),
                Button(self.save_label(), id="save", variant="warning"),
                others=[Button(_("Open the existing household"), id="open")],
                id="dup-buttons",
            )

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


class PersonDuplicateDialog(DuplicateDialog):
    """ "Is this someone already registered?" (see ``DuplicateDialog``)."""

    BINDINGS = [Binding("s", "choose('save')", N_("Someone else: save"))]

    def __init__(self, name: str, candidates: list[hh.DuplicateCandidate]) -> None:
        super().__init__(candidates)
        self.person_name = name

    def message(self) -> str:
        n = len(self.candidates)
        return ngettext(
            "{name} may already be registered. Is this the same person?",
            "{name} may already be registered: {n} people look alike. "
            "Is one of them the same person?",
            n,
        ).format(name=self.person_name, n=n)

    def save_label(self) -> str:
        return _("It is someone else — save")

    def fill(self, table: DataTable) -> None:
        table.add_column(_("Name"), key="name")
        table.add_column(_("Born"), key="born")
        table.add_column(_("Settlement"), key="settlement")
        table.add_column(_("Why"), key="why")
        for c in self.candidates:
            born = shown_birth_date(PartialDate.from_storage(c.birth_date)) if c.birth_date else ""
            place = ", ".join(p for p in (c.settlement, c.municipality) if p)
            table.add_row(
                Text(c.full_name), Text(born), Text(place), Text(_(c.reason)), key=c.person_id
            )


class HouseholdDuplicateDialog(DuplicateDialog):
    """ "Is this family already registered?" (see ``DuplicateDialog``)."""

    BINDINGS = [Binding("s", "choose('save')", N_("Another family: save"))]

    # Names of a family's people shown before "and N more": enough to recognise them.
    MEMBERS_SHOWN = 3

    def __init__(self, family: str, candidates: list[hh.HouseholdCandidate]) -> None:
        super().__init__(candidates)
        self.family = family

    def message(self) -> str:
        n = len(self.candidates)
        return ngettext(
            "{family} may already be registered. Is this the same family?",
            "{family} may already be registered: {n} families look alike. "
            "Is one of them the same family?",
            n,
        ).format(family=self.family, n=n)

    def save_label(self) -> str:
        return _("It is another family — save")

    def fill(self, table: DataTable) -> None:
        table.add_column(_("Family"), key="family")
        table.add_column(_("Settlement"), key="settlement")
        table.add_column(_("People"), key="people")
        table.add_column(_("Why"), key="why")
        for c in self.candidates:
            cells = (c.family_name, c.settlement or c.municipality, self._people(c), _(c.reason))
            table.add_row(*(Text(cell) for cell in cells), key=c.household_id)

    def _people(self, candidate: hh.HouseholdCandidate) -> str:
        """Given names, whole names for whoever has another family name: enough to
        recognise the family at 80 columns."""
        family = search_key(candidate.family_name)
        names = [
            given if search_key(family_name) == family else f"{given} {family_name}"
            for given, family_name in candidate.members
        ]
        shown = ", ".join(names[: self.MEMBERS_SHOWN])
        more = len(names) - self.MEMBERS_SHOWN
        if more > 0:
            shown += " " + ngettext("and {n} more", "and {n} more", more).format(n=more)
        return shown


SAVE_ANYWAY = "save"


class AttendeeDuplicateDialog(Dialog):
    """Already in the register? Save anyway, use the existing person, or go back.

    Dismisses with ``SAVE_ANYWAY``, the chosen ``DuplicateCandidate``, or None (back).
    """

    DEFAULT_CSS = """
    AttendeeDuplicateDialog > .dialog-box {
        width: 72; border: thick $warning; padding: 1 2;
    }
    AttendeeDuplicateDialog .dup-title { text-style: bold; }
    AttendeeDuplicateDialog OptionList { height: auto; max-height: 8; margin: 1 0; }
    """

    BINDINGS = [Binding("escape", "back", N_("Back"))]
    AUTO_FOCUS = "#dup-existing"

    def __init__(self, person: hh.PersonInput, candidates: list[hh.DuplicateCandidate]):
        super().__init__()
        self.person = person
        self.candidates = candidates

    def compose(self) -> ComposeResult:
        name = " ".join(f"{self.person.given_name} {self.person.family_name}".split())
        with Vertical(classes="dialog-box"):
            yield Static(_("Already in the register?"), classes="dup-title", markup=False)
            yield Static(_("{name} may already be registered:").format(name=name), markup=False)
            yield OptionList(
                *[Option(self._label(c), id=str(i)) for i, c in enumerate(self.candidates)],
                id="dup-candidates",
            )
            yield button_row(
                Button(_("Back"), id="dup-back"),
                Button(_("Use existing"), variant="primary", id="dup-existing"),
                others=[Button(_("Save anyway"), id="dup-save")],
            )

    @staticmethod
    def _label(c: hh.DuplicateCandidate) -> str:
        place = ", ".join(p for p in (c.settlement, c.municipality) if p)
        born = (c.birth_date or "").lstrip("~")[:4]
        parts = [c.full_name, born, place, _(c.reason)]
        return " · ".join(p for p in parts if p)

    def on_mount(self) -> None:
        options = self.query_one("#dup-candidates", OptionList)
        options.highlighted = 0

    def _highlighted(self) -> hh.DuplicateCandidate:
        index = self.query_one("#dup-candidates", OptionList).highlighted
        return self.candidates[index or 0]

    @on(OptionList.OptionSelected, "#dup-candidates")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.candidates[int(event.option.id or 0)])

    @on(Button.Pressed, "#dup-existing")
    def _existing(self) -> None:
        self.dismiss(self._highlighted())

    @on(Button.Pressed, "#dup-save")
    def _save(self) -> None:
        self.dismiss(SAVE_ANYWAY)

    @on(Button.Pressed, "#dup-back")
    def action_back(self) -> None:
        self.dismiss(None)
