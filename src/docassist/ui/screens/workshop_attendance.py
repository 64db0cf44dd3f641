"""Who is here: mark households present at a workshop, or register a family on the spot.

A household is marked first, with every member; then each member can be unticked (only
the mother came) or ticked again, so the End screen and the reports count the people in
the room, not the households' sizes.

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
from docassist.ui.widgets.fast_table import FastTable
from docassist.ui.widgets.footer import KeysFooter
from docassist.ui.widgets.ticks import NO_TICK, TICK
from docassist.ui.widgets.title_bar import TitleBar

# Joins a household id and a person id in the key of a member's row.
MEMBER_KEY = "|"


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
        yield TitleBar()
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
        table: DataTable = FastTable(id="ws-att-table", cursor_type="row", zebra_stripes=True)
        # Translators: column header; a tick means the household came to the workshop.
        table.add_column(_("Here"), key="here")
        table.add_column(_("Family"), key="family")
        table.add_column(_("Settlement"), key="settlement")
        table.add_column(_("Municipality"), key="municipality")
        # "Sead +3", not "4": two families of one name and size told apart.
        table.add_column(_("People"), key="people")
        yield table
        yield Static(id="ws-att-status", classes="status-line")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.reload()

    async def retranslate(self) -> None:
        await super().retranslate()  # the body only: the Header must stay mounted
        self.reload()

    def reload(self) -> None:
        ctx = self.ctx
        script = current_language().script
        present = ws.attendees(ctx, self.workshop_id, script_name=script)
        came = {a.household_id: {p.id for p in a.people} for a in present}
        table = self.query_one("#ws-att-table", DataTable)
        table.clear()
        # (household id, family name, settlement and street, municipality, given names)
        found: list[tuple[str, str, str, str, tuple[str, ...]]]
        if self.search_text.strip():
            found = [
                (
                    r.id,
                    r.family_name,
                    place(r.settlement, r.address),
                    r.municipality,
                    tuple(r.given_names),
                )
                for r in hh.find_households(
                    ctx, self.search_text, script_name=script, limit=self.LIMIT
                )
            ]
        else:
            # Nothing typed: show who is marked so far (their rows read the household).
            found = [(a.household_id, a.family_name, "", a.municipality, ()) for a in present]
        for household_id, family, where, municipality, names in found:
            self._add_household(table, household_id, (family, where, municipality), names, came)
        people = sum(len(a.people) for a in present)
        status = _("Here: {households}, {people}.").format(
            households=ngettext("{n} household", "{n} households", len(present)).format(
                n=format_number(len(present))
            ),
            people=ngettext("{n} person", "{n} people", people).format(n=format_number(people)),
        )
        if not self.search_text.strip():
            status += " " + (
                _("Enter on a person ticks or unticks them.")
                if present
                else _("Type a name to find a family.")
            )
        elif table.row_count:
            status += " " + _("Enter marks here or not here.")
        elif hh.unreadable_search(self.search_text):
            status += " " + _(hh.UNREADABLE_SEARCH)
        else:
            status += " " + _("Nobody matches. Add a new household?")
        self.query_one("#ws-att-status", Static).update(status)

    def _add_household(
        self,
        table: DataTable,
        household_id: str,
        row: tuple[str, str, str],
        given_names: tuple[str, ...],
        came: dict[str, set[str]],
    ) -> None:
        """The household's row; once it is marked, a row per member to tick or untick.

        "Sead +3", not "4", tells two families of one name and size apart (ui.who);
        a marked household adds how many of its members came: "Sead +3 · 2 / 4"."""
        here = came.get(household_id)
        family, where, municipality = row
        if here is None:
            table.add_row(NO_TICK, family, where, municipality, who(given_names), key=household_id)
            return
        detail = hh.get_household(self.ctx, household_id)
        members = detail.members
        names = who([p.given_name for p in heads_first(members)])
        count = f"{format_number(len(here))} / {format_number(len(members))}"
        where = where or place(detail.household.settlement, detail.household.address)
        table.add_row(TICK, family, where, municipality, f"{names} · {count}", key=household_id)
        for person in members:
            born = f" ({person.birth_date.year})" if person.birth_date else ""
            mark = TICK if person.id in here else NO_TICK
            table.add_row(
                "",
                f"  {mark} {person.given_name}{born}",
                "",
                "",
                "",
                key=f"{household_id}{MEMBER_KEY}{person.id}",
            )

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
    def toggle(self, key: str) -> None:
        """A household row marks or unmarks the whole household; a member row that person."""
        ctx = self.ctx
        household_id, _sep, person_id = key.partition(MEMBER_KEY)
        came = {
            a.household_id: [p.id for p in a.people] for a in ws.attendees(ctx, self.workshop_id)
        }
        if person_id:
            members = [m.id for m in hh.get_household(ctx, household_id).members]
            here = set(came.get(household_id, []))
            here ^= {person_id}
            ws.set_people_present(
                ctx, self.workshop_id, household_id, [m for m in members if m in here]
            )
        elif household_id in came:
            ws.remove_attendance(ctx, self.workshop_id, household_id)
        else:
            ws.add_attendance(ctx, self.workshop_id, household_id)
        table = self.query_one("#ws-att-table", DataTable)
        row = table.cursor_row
        self.reload()
        if table.row_count:
            # Stay on the row just toggled (a household's members appear below it).
            keys = [r.value for r in table.rows]
            table.move_cursor(row=keys.index(key) if key in keys else min(row, table.row_count - 1))

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
