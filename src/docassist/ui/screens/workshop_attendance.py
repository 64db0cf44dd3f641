"""Who is here: mark households present at a workshop, or register a family on the spot.

Each mark is saved as it is made (``services.workshops``). A new family is checked
person by person against the register before anything is saved, and the facilitator
decides what a likely duplicate is: a different person, or someone already registered.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Input,
    Static,
)

from docassist.domain.text import N_
from docassist.i18n import _, current_language, format_date, format_number, ngettext
from docassist.services import households as hh
from docassist.services import workshops as ws
from docassist.ui.base import DocScreen
from docassist.ui.busy import calm_when_busy
from docassist.ui.dialogs import QuickAddDialog
from docassist.ui.who import heads_first, place, who


class AttendanceScreen(DocScreen):
    """Who is here: find households as you type and mark them present, or add a new one."""

    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding("ctrl+n", "new_household", N_("New household")),
        Binding("ctrl+f", "focus_search", N_("Search")),
        Binding("space", "toggle_here", N_("Here / not here"), show=False),
    ]
    AUTO_FOCUS = "#ws-att-search"

    LIMIT = 50

    def __init__(self, workshop_id: str) -> None:
        super().__init__()
        self.workshop_id = workshop_id
        self.search_text = ""

    def compose(self) -> ComposeResult:
        workshop = ws.get_workshop(self.ctx, self.workshop_id)
        where = " · ".join(p for p in (workshop.place, workshop.settlement) if p)
        yield Header()
        yield Static(
            " · ".join(p for p in (_("Who is here?"), format_date(workshop.held_on), where) if p),
            classes="ws-screen-title",
            id="ws-att-title",
        )
        with Horizontal(classes="toolbar"):
            yield Input(
                self.search_text,
                placeholder=_("Search by name or ID number, in any script"),
                id="ws-att-search",
            )
            yield Button(_("New household"), id="ws-att-new")
        table: DataTable = DataTable(id="ws-att-table", cursor_type="row", zebra_stripes=True)
        # Translators: column header; a tick means the household came to the workshop.
        table.add_column(_("Here"), key="here")
        table.add_column(_("Family"), key="family")
        table.add_column(_("Settlement"), key="settlement")
        table.add_column(_("Municipality"), key="municipality")
        # "Sead +3", not "4": two families of one name and size told apart.
        table.add_column(_("People"), key="people")
        yield table
        yield Static(id="ws-att-status", classes="status-line")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    async def retranslate(self) -> None:
        await super().retranslate()  # the body only: the Header must stay mounted
        self.reload()

    def reload(self) -> None:
        ctx = self.ctx
        script = current_language().script
        present = ws.attendees(ctx, self.workshop_id, script_name=script)
        here = {a.household_id for a in present}
        table = self.query_one("#ws-att-table", DataTable)
        table.clear()
        if self.search_text.strip():
            for r in hh.find_households(
                ctx, self.search_text, script_name=script, limit=self.LIMIT
            ):
                table.add_row(
                    "✓" if r.id in here else "",
                    r.family_name,
                    place(r.settlement, r.address),
                    r.municipality,
                    who(r.given_names),
                    key=r.id,
                )
        else:
            # Nothing typed: show who is marked so far.
            for a in present:
                table.add_row(
                    "✓",
                    a.family_name,
                    a.settlement,
                    a.municipality,
                    who([p.given_name for p in heads_first(a.people)]),
                    key=a.household_id,
                )
        people = sum(len(a.people) for a in present)
        status = _("Here: {households}, {people}.").format(
            households=ngettext("{n} household", "{n} households", len(present)).format(
                n=format_number(len(present))
            ),
            people=ngettext("{n} person", "{n} people", people).format(n=format_number(people)),
        )
        if not self.search_text.strip():
            status += " " + _("Type a name to find a family.")
        elif table.row_count:
            status += " " + _("Enter marks here or not here.")
        elif hh.unreadable_search(self.search_text):
            status += " " + _(hh.UNREADABLE_SEARCH)
        else:
            status += " " + _("Nobody matches. Add a new household?")
        self.query_one("#ws-att-status", Static).update(status)

    @on(Input.Changed, "#ws-att-search")
    def _search(self, event: Input.Changed) -> None:
        self.search_text = event.value
        self.reload()

    @on(Input.Submitted, "#ws-att-search")
    def _to_table(self) -> None:
        table = self.query_one("#ws-att-table", DataTable)
        if table.row_count:
            table.focus()

    @on(DataTable.RowSelected, "#ws-att-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.toggle(event.row_key.value)

    def action_toggle_here(self) -> None:  # not action_toggle: DOMNode has one
        table = self.query_one("#ws-att-table", DataTable)
        if table.has_focus and table.row_count:
            key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key
            if key.value:
                self.toggle(key.value)

    @calm_when_busy
    def toggle(self, household_id: str) -> None:
        ctx = self.ctx
        here = {a.household_id for a in ws.attendees(ctx, self.workshop_id)}
        if household_id in here:
            ws.remove_attendance(ctx, self.workshop_id, household_id)
        else:
            ws.add_attendance(ctx, self.workshop_id, household_id)
        table = self.query_one("#ws-att-table", DataTable)
        row = table.cursor_row
        self.reload()
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    @on(Button.Pressed, "#ws-att-new")
    def action_new_household(self) -> None:
        def added(household_id: str | None) -> None:
            if household_id:
                # Back to the list of who is here, where the family now shows.
                self.search_text = ""
                self.query_one("#ws-att-search", Input).value = ""
                self.reload()

        self.app.push_screen(QuickAddDialog(self.workshop_id), added)

    def action_focus_search(self) -> None:
        self.query_one("#ws-att-search").focus()

    def action_back(self) -> None:
        self.dismiss()
