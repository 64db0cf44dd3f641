"""Who is here: mark households present at a workshop, or register a family on the spot.

Each mark is saved as it is made (``services.workshops``). A new family is checked
person by person against the register before anything is saved, and the facilitator
decides what a likely duplicate is: a different person, or someone already registered.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.coordinate import Coordinate
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    OptionList,
    Static,
)
from textual.widgets.option_list import Option

from docassist.domain.text import N_, Problem
from docassist.i18n import _, current_language, format_date, format_number, ngettext
from docassist.services import households as hh
from docassist.services import workshops as ws
from docassist.services.context import ValidationError
from docassist.ui.base import DocModal, DocScreen
from docassist.ui.widgets.field_problems import problems_text


class AttendanceScreen(DocScreen):
    """Who is here: find households as you type and mark them present, or add a new one."""

    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding("ctrl+n", "new_household", N_("New household")),
        Binding("ctrl+f", "focus_search", N_("Search")),
        Binding("space", "toggle", N_("Here / not here"), show=False),
    ]
    AUTO_FOCUS = "#ws-att-search"

    LIMIT = 50

    def __init__(self, workshop_id: str) -> None:
        super().__init__()
        self.workshop_id = workshop_id
        self.search_text = ""

    def compose(self) -> ComposeResult:
        workshop = ws.get_workshop(self.app.ctx, self.workshop_id)
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
        table = DataTable(id="ws-att-table", cursor_type="row", zebra_stripes=True)
        # Translators: column header; a tick means the household came to the workshop.
        table.add_column(_("Here"), key="here")
        table.add_column(_("Family"), key="family")
        table.add_column(_("Settlement"), key="settlement")
        table.add_column(_("Municipality"), key="municipality")
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
        ctx = self.app.ctx
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
                    r.settlement,
                    r.municipality,
                    format_number(r.members),
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
                    format_number(len(a.people)),
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

    def action_toggle(self) -> None:
        table = self.query_one("#ws-att-table", DataTable)
        if table.has_focus and table.row_count:
            key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key
            if key.value:
                self.toggle(key.value)

    def toggle(self, household_id: str) -> None:
        ctx = self.app.ctx
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

        self.app.push_screen(QuickAddScreen(self.workshop_id), added)

    def action_focus_search(self) -> None:
        self.query_one("#ws-att-search").focus()

    def action_back(self) -> None:
        self.dismiss()


# ----------------------------------------------------------------- quick add


class QuickAddScreen(DocModal):
    """A family new to the register: name, place, consent, and the people who came.

    Each person is checked against the register before anything is saved; a likely
    duplicate is shown and the facilitator decides.
    """

    DEFAULT_CSS = """
    QuickAddScreen { align: center middle; }
    QuickAddScreen > VerticalScroll {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    QuickAddScreen .qa-title { text-style: bold; padding: 0 1; }
    QuickAddScreen Horizontal { height: auto; }
    QuickAddScreen Horizontal Input { width: 1fr; }
    QuickAddScreen .qa-member .qa-year { width: 14; }
    QuickAddScreen #qa-error { color: $error; height: auto; padding: 0 1; }
    QuickAddScreen #qa-buttons { align-horizontal: right; }
    QuickAddScreen #qa-buttons Button { margin-left: 2; }
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]
    AUTO_FOCUS = "#qa-family"

    def __init__(self, workshop_id: str) -> None:
        super().__init__()
        self.workshop_id = workshop_id
        self.values: dict[str, str] | None = None  # typed text by input id
        self.consent = False
        self.rows = 1

    @property
    def _ctx(self):
        return self.app.ctx

    def compose(self) -> ComposeResult:
        if self.values is None:
            # A new family at the workshop most likely lives where it is held.
            workshop = ws.get_workshop(self._ctx, self.workshop_id)
            self.values = {
                "qa-settlement": workshop.settlement,
                "qa-municipality": workshop.municipality,
            }
        v = self.values
        with VerticalScroll():
            yield Static(_("New household"), classes="qa-title")
            yield Input(v.get("qa-family", ""), placeholder=_("Family name"), id="qa-family")
            with Horizontal():
                yield Input(
                    v.get("qa-settlement", ""), placeholder=_("Settlement"), id="qa-settlement"
                )
                yield Input(
                    v.get("qa-municipality", ""),
                    placeholder=_("Municipality"),
                    id="qa-municipality",
                )
            yield Checkbox(_("The family agrees to be recorded"), self.consent, id="qa-consent")
            yield Label(_("Who came: given name, family name, year of birth"))
            for i in range(self.rows):
                with Horizontal(classes="qa-member"):
                    yield Input(
                        v.get(f"qa-given-{i}", ""), placeholder=_("Given name"), id=f"qa-given-{i}"
                    )
                    yield Input(
                        v.get(f"qa-surname-{i}", ""),
                        placeholder=v.get("qa-family") or _("Family name"),
                        id=f"qa-surname-{i}",
                    )
                    yield Input(
                        v.get(f"qa-year-{i}", ""),
                        # Translators: placeholder for a year of birth, like 1990.
                        placeholder=_("Year"),
                        id=f"qa-year-{i}",
                        classes="qa-year",
                    )
            yield Button(_("Another person"), id="qa-more")
            yield Static("", id="qa-error", classes="hidden", markup=False)
            with Horizontal(id="qa-buttons"):
                yield Button(_("Cancel"), id="qa-cancel")
                yield Button(_("Save and mark here"), variant="primary", id="qa-save")

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input.id:
            self.values[event.input.id] = event.value
        if event.input.id == "qa-family":
            for i in range(self.rows):
                self.query_one(f"#qa-surname-{i}", Input).placeholder = event.value or _(
                    "Family name"
                )

    @on(Checkbox.Changed, "#qa-consent")
    def _consent(self, event: Checkbox.Changed) -> None:
        self.consent = event.value

    @on(Button.Pressed, "#qa-more")
    async def _more(self) -> None:
        self.rows += 1
        await self.recompose()
        self.query_one(f"#qa-given-{self.rows - 1}").focus()

    @on(Button.Pressed, "#qa-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def _household(self) -> hh.HouseholdInput:
        return hh.HouseholdInput(
            family_name=self.values.get("qa-family", ""),
            settlement=self.values.get("qa-settlement", ""),
            municipality=self.values.get("qa-municipality", ""),
            consent_date=self._ctx.today().isoformat() if self.consent else None,
            consent_scope="workshop" if self.consent else None,
        )

    def _members(self) -> list[hh.PersonInput]:
        family = self.values.get("qa-family", "")
        out = []
        for i in range(self.rows):
            given = self.values.get(f"qa-given-{i}", "")
            surname = self.values.get(f"qa-surname-{i}", "")
            year = self.values.get(f"qa-year-{i}", "")
            if given.strip() or surname.strip() or year.strip():
                out.append(hh.PersonInput(given, surname.strip() or family, birth_date=year))
        return out

    def _problems(self, household: hh.HouseholdInput, members: list[hh.PersonInput]) -> list[str]:
        found: list[Problem] = []
        if not self.consent:
            found.append(
                Problem("consent", N_("Ask the family first: tick that they agree to be recorded."))
            )
        for problems in hh.validate_household(household).values():
            found += problems
        for member in members:
            for problems in hh.validate_person(member, self._ctx.today()).values():
                found += problems
        return [p.render(_) for p in found if p.is_error]

    def _show_error(self, text: str) -> None:
        error = self.query_one("#qa-error", Static)
        error.update(text)
        error.set_class(not text, "hidden")

    @on(Button.Pressed, "#qa-save")
    def _save_pressed(self) -> None:
        self.save()

    @work(exclusive=True)
    async def save(self) -> None:
        household, members = self._household(), self._members()
        problems = self._problems(household, members)
        if problems:
            self._show_error("\n".join(dict.fromkeys(problems)))
            return
        self._show_error("")
        keep: list[hh.PersonInput] = []
        existing: list[hh.DuplicateCandidate] = []
        for member in members:
            candidates = hh.duplicate_candidates(self._ctx, member)
            if candidates:
                answer = await self.app.push_screen(
                    DuplicateScreen(member, candidates), wait_for_dismiss=True
                )
                if answer is None:
                    return  # back to the form, nothing saved
                if isinstance(answer, hh.DuplicateCandidate):
                    existing.append(answer)
                    continue
            keep.append(member)
        household_id: str | None = None
        try:
            if keep or not existing:
                household_id = ws.register_and_attend(self._ctx, self.workshop_id, household, keep)
            for candidate in existing:
                ws.add_attendance(
                    self._ctx, self.workshop_id, candidate.household_id, [candidate.person_id]
                )
        except ValidationError as err:
            self._show_error(problems_text(err))
            return
        self.dismiss(household_id or existing[0].household_id)


SAVE_ANYWAY = "save"


class DuplicateScreen(DocModal):
    """Already in the register? Save anyway, use the existing person, or go back.

    Dismisses with ``SAVE_ANYWAY``, the chosen ``DuplicateCandidate``, or None (back).
    """

    DEFAULT_CSS = """
    DuplicateScreen { align: center middle; }
    DuplicateScreen > Vertical {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    DuplicateScreen .dup-title { text-style: bold; }
    DuplicateScreen OptionList { height: auto; max-height: 8; margin: 1 0; }
    DuplicateScreen Horizontal { height: auto; align-horizontal: right; }
    DuplicateScreen Button { margin-left: 1; }
    """

    BINDINGS = [Binding("escape", "back", N_("Back"))]
    AUTO_FOCUS = "#dup-existing"

    def __init__(self, person: hh.PersonInput, candidates: list[hh.DuplicateCandidate]):
        super().__init__()
        self.person = person
        self.candidates = candidates

    def compose(self) -> ComposeResult:
        name = " ".join(f"{self.person.given_name} {self.person.family_name}".split())
        with Vertical():
            yield Static(_("Already in the register?"), classes="dup-title", markup=False)
            yield Static(_("{name} may already be registered:").format(name=name), markup=False)
            yield OptionList(
                *[Option(self._label(c), id=str(i)) for i, c in enumerate(self.candidates)],
                id="dup-candidates",
            )
            with Horizontal():
                yield Button(_("Back"), id="dup-back")
                yield Button(_("Use existing"), variant="primary", id="dup-existing")
                yield Button(_("Save anyway"), id="dup-save")

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
