"""Import households from a spreadsheet: choose the file, check the columns, dry run, import.

Nothing is written until the user has seen the dry run and confirmed. Everything the
user chose (path, sheet, mapping, the last check) lives on the screen, so a language
switch redraws the words without losing any of it.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Input,
    Label,
    Select,
    Static,
)

from docassist.domain.text import N_, Problem
from docassist.i18n import _, format_number
from docassist.services import importing as imp
from docassist.services.context import ValidationError
from docassist.services.importing import (
    households_text,
    left_out,
    people_text,
    problem_text,
    summary_lines,
)
from docassist.store import engine
from docassist.store.db import BusyDatabaseError, explain_database_error
from docassist.ui.base import DocScreen
from docassist.ui.dialogs import ConfirmDialog
from docassist.ui.widgets.chosen import chosen
from docassist.ui.widgets.drop_down import DropDown
from docassist.ui.widgets.fast_table import FastTable
from docassist.ui.widgets.field_problems import FieldProblems, problems_text
from docassist.ui.widgets.footer import KeysFooter
from docassist.ui.widgets.screen_body import ScreenBody
from docassist.ui.widgets.tick_box import TickBox
from docassist.ui.widgets.title_bar import TitleBar


def _not_imported() -> tuple[type[Exception], ...]:
    """What rolls the whole import back: the file, the register (either SQLite library,
    read when caught), a row."""
    return (OSError, *engine.Errors, ValidationError, BusyDatabaseError)


# Fits 80 columns beside the line numbers, the padding and the scroll bars.
PROBLEM_WIDTH = 62


def _file_problem(err: Exception) -> Problem:
    if isinstance(err, imp.ImportFileError):
        return Problem("import.file", err.msgid, err.params)
    # The file vanished, is locked by Excel, or holds bytes no reader understands.
    reason = getattr(err, "strerror", None) or type(err).__name__
    return Problem(
        "import.unreadable", N_("The file could not be read ({reason})."), {"reason": reason}
    )


class ImportScreen(DocScreen):
    BINDINGS = [
        Binding("ctrl+r", "check", N_("Check")),  # ctrl+k deletes in an Input
        Binding("ctrl+s", "import", N_("Import")),
        Binding("escape", "close", N_("Close")),
        # On a likely duplicate in the list of findings: import it after all, or not.
        Binding("space", "toggle_duplicate", N_("Import / leave out"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.path_text = ""
        self.loaded_path: str | None = None  # the file the columns below belong to
        self.headers: list[str] = []
        self.sheets: list[str] = []
        self.sheet: str | None = None
        self.mapping: dict[str, int] = {}
        # Left out unless the user says otherwise: importing the same list twice must
        # not register every family again.
        self.skip_duplicates = True
        self.plan: imp.ImportPlan | None = None
        self.result: imp.ImportResult | None = None
        self.path_problem: Problem | None = None
        self.busy = False  # a check or an import is under way

    # -- drawing -------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield ScreenBody(self._compose_body)
        yield KeysFooter()

    def _compose_body(self) -> ComposeResult:
        with VerticalScroll(id="import-form", classes="form"):
            yield Label(_("Import households from a spreadsheet"), classes="form-title")
            yield Static(
                _(
                    "A CSV or Excel (.xlsx) list, one person per row. Nothing is written "
                    "until you have checked it and pressed Import."
                ),
                classes="hint",
            )
            with Horizontal(classes="form-row"):
                yield Label(_("File"), classes="form-label")
                with Vertical(classes="form-field"):
                    yield Input(
                        self.path_text,
                        placeholder=_("like {example}").format(
                            example=str(Path.home() / "porodice.xlsx")
                        ),
                        id="path",
                    )
                    yield FieldProblems(id="path-problems")
            if len(self.sheets) > 1:
                with Horizontal(classes="form-row"):
                    yield Label(_("Sheet"), classes="form-label")
                    yield DropDown(
                        [(name, name) for name in self.sheets],
                        value=self.sheet or self.sheets[0],
                        allow_blank=False,
                        id="sheet",
                    )
            if self.headers:
                yield Label(_("Which column holds what"), classes="form-section")
                fields = {index: key for key, index in self.mapping.items()}
                options = [(_(f.label), f.key) for f in imp.FIELDS]
                for index, name in enumerate(imp.column_names(self.headers)):
                    with Horizontal(classes="form-row"):
                        yield Label(imp.short(name), classes="form-label", markup=False)
                        yield DropDown(
                            options,
                            prompt=_("Not imported"),
                            value=fields.get(index, Select.NULL),
                            id=f"col-{index}",
                        )
                yield FieldProblems(id="mapping-problems")
            yield TickBox(
                _("Leave out likely duplicates (same name and year of birth)"),
                self.skip_duplicates,
                id="skip-duplicates",
            )
            with Horizontal(classes="form-buttons"):
                yield Button(_("Check"), id="check", variant="primary")
                yield Button(_("Import"), id="import", disabled=self._importable() is None)
                yield Button(
                    _("Go to the register"),
                    id="to-register",
                    classes="" if self.result else "hidden",
                )
            yield Static("", id="summary", markup=False)
            table: DataTable = FastTable(
                id="import-problems", cursor_type="row", zebra_stripes=True
            )
            table.add_column(_("Line"), key="line")
            # A fixed width lets long reasons wrap onto more lines instead of being cut.
            table.add_column(_("Problem"), key="problem", width=PROBLEM_WIDTH)
            yield table

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#path", Input).focus()
        self._show_state()

    async def retranslate(self) -> None:
        await self.query_one(ScreenBody).recompose()
        self._show_state()

    def _show_state(self) -> None:
        """Fill what depends on the last check or import, in the current language."""
        self.query_one("#path-problems", FieldProblems).show(
            [self.path_problem] if self.path_problem else []
        )
        if self.headers:
            self.query_one("#mapping-problems", FieldProblems).show(imp.check_mapping(self.mapping))
        summary = self.query_one("#summary", Static)
        table = self.query_one("#import-problems", DataTable)
        table.clear()
        lines: list[str] = []
        if self.result is not None:
            lines.append(
                _("Imported: {households}, {people}.").format(
                    households=households_text(len(self.result.households)),
                    people=people_text(self.result.people),
                )
            )
        elif self.plan is not None:
            lines += [note.render(_) for note in self.plan.notes]
            lines += summary_lines(self.plan)
            if not self.plan.households:
                lines.append(_("There is nothing to import."))
            if self.plan.likely_duplicates:
                lines.append(
                    _(
                        "Likely duplicates are marked [ ] (left out) or [✓] (imported): "
                        "Space or Enter on one changes it."
                    )
                )
            for index, row in enumerate(self.plan.problems):
                if row.duplicate and not row.is_error:
                    mark = "[✓] " if self.plan.keeps(row.line) else "[ ] "
                else:
                    mark = "✗ " if left_out(self.plan, row) else "! "
                text = problem_text(self.plan, row)
                table.add_row(format_number(row.line), mark + text, height=None, key=str(index))
        summary.update("\n".join(lines))
        summary.set_class(not lines, "hidden")
        table.set_class(table.row_count == 0, "hidden")
        self.query_one("#import", Button).disabled = self._importable() is None
        self.query_one("#to-register", Button).set_class(self.result is None, "hidden")

    def _importable(self) -> imp.ImportPlan | None:
        if self.plan is None or self.result is not None or not self.plan.households:
            return None
        return self.plan

    # -- reading the file ------------------------------------------------------

    async def _load_columns(self) -> bool:
        """Read the header of the typed file and guess the columns; False if it failed."""
        path = self.path_text.strip()
        self.path_problem = None
        if not path:
            self.path_problem = Problem(
                "import.no_path", N_("Type where the file is, like {example}."),
                {"example": str(Path.home() / "porodice.xlsx")},
            )  # fmt: skip
            self._show_state()
            return False
        try:
            headers, sheets = imp.read_headers(path, self.sheet)
        except (imp.ImportFileError, OSError, UnicodeError) as err:
            self.path_problem = _file_problem(err)
            self.headers, self.sheets, self.loaded_path = [], [], None
            await self.query_one(ScreenBody).recompose()
            self._show_state()
            self.query_one("#path", Input).focus()  # the redraw took the focus away
            return False
        self.headers, self.sheets, self.loaded_path = headers, sheets, path
        self.mapping = imp.guess_mapping(headers)
        await self.query_one(ScreenBody).recompose()
        self._show_state()
        return True

    def _invalidate(self) -> None:
        """The file or the choices changed: the last check no longer says what happens."""
        self.plan = None
        self.result = None
        if self.is_mounted:
            self._show_state()

    # -- events --------------------------------------------------------------

    @on(Input.Changed, "#path")
    def _path_changed(self, event: Input.Changed) -> None:
        if event.value != self.path_text:
            self.path_text = event.value
            self.path_problem = None
            self.sheet = None  # a sheet of the last workbook means nothing in another file
            self._invalidate()

    @on(Input.Submitted, "#path")
    async def _path_submitted(self) -> None:
        await self.action_check()

    @on(Select.Changed, "#sheet")
    async def _sheet_changed(self, event: Select.Changed) -> None:
        sheet = chosen(event.value)
        if sheet != self.sheet:
            self.sheet = sheet
            self._invalidate()
            await self._load_columns()

    @on(Select.Changed)
    def _column_changed(self, event: Select.Changed) -> None:
        select_id = event.select.id or ""
        if not select_id.startswith("col-"):
            return
        index = int(select_id.removeprefix("col-"))
        key = chosen(event.value)
        mapping = {k: v for k, v in self.mapping.items() if v != index}
        previous = mapping.get(key) if key else None
        if key:
            mapping[key] = index
        if mapping == self.mapping:
            return
        self.mapping = mapping
        if previous is not None:
            # One column per field: the column that held it before lets go.
            self.query_one(f"#col-{previous}", Select).value = Select.NULL
        self._invalidate()

    @on(Checkbox.Changed, "#skip-duplicates")
    def _skip_changed(self, event: Checkbox.Changed) -> None:
        if event.value != self.skip_duplicates:
            self.skip_duplicates = event.value
            if self.plan is not None and self.result is None:
                # The check still holds: only what it leaves out changes, for all of
                # the likely duplicates at once (one by one choices start again).
                self.plan.skip_duplicates = event.value
                self.plan.choices.clear()
                self._show_state()
            else:
                self._invalidate()

    @on(DataTable.RowSelected, "#import-problems")
    def _finding_selected(self, event: DataTable.RowSelected) -> None:
        self._toggle_duplicate(event.cursor_row)

    def action_toggle_duplicate(self) -> None:
        table = self.query_one("#import-problems", DataTable)
        if table.has_focus and table.row_count:
            self._toggle_duplicate(table.cursor_row)

    def _toggle_duplicate(self, index: int) -> None:
        """Import the likely duplicate on the highlighted finding, or leave it out."""
        plan = self.plan
        if plan is None or self.result is not None or self.busy:
            return
        if not 0 <= index < len(plan.problems):
            return
        row = plan.problems[index]
        if not (row.duplicate and row.line in plan.likely_duplicates):
            return
        plan.choose(row.line, not plan.keeps(row.line))
        table = self.query_one("#import-problems", DataTable)
        self._show_state()
        table.move_cursor(row=index, animate=False)

    @on(Button.Pressed, "#check")
    async def _check_pressed(self) -> None:
        await self.action_check()

    @on(Button.Pressed, "#import")
    def _import_pressed(self) -> None:
        self.action_import()

    @on(Button.Pressed, "#to-register")
    def _to_register(self) -> None:
        self.dismiss(True)
        self.app.action_mode("cases")

    # -- actions -------------------------------------------------------------

    async def action_check(self) -> None:
        """The dry run; reads the columns first when the file is new."""
        if self.busy:
            return
        self.result = None
        new_file = self.loaded_path != self.path_text.strip() or not self.headers
        if new_file and not await self._load_columns():
            return
        missing = imp.check_mapping(self.mapping)
        if missing:
            self.notify(missing[0].render(_), severity="error")
            return
        # A long list takes seconds (about a millisecond a row): say so on screen
        # before the work starts, rather than freeze without a word.
        self._busy(_("Checking every row ..."))
        self.call_after_refresh(self._run_check)

    def _busy(self, message: str) -> None:
        self.busy = True
        self.query_one("#summary", Static).update(message)
        self.query_one("#summary", Static).remove_class("hidden")
        self.query_one("#import-problems", DataTable).add_class("hidden")
        for button in self.query(Button):
            button.disabled = True

    def _done(self) -> None:
        """Buttons back; whether Import may be pressed is _show_state's to say."""
        self.busy = False
        for button in self.query(Button):
            button.disabled = button.id == "import"

    def _run_check(self) -> None:
        try:
            self.plan = imp.check_import(
                self.ctx,
                self.path_text.strip(),
                mapping=self.mapping,
                sheet=self.sheet,
                skip_duplicates=self.skip_duplicates,
            )
        except (imp.ImportFileError, OSError, UnicodeError) as err:
            self.plan = None
            self.path_problem = _file_problem(err)
        self._done()
        self._show_state()
        if self.plan is None:
            self.query_one("#path", Input).focus()
            return
        button = self.query_one("#import", Button)
        (self.query_one("#check", Button) if button.disabled else button).focus()
        # After the redraw, or the summary has no place yet to scroll to.
        self.call_after_refresh(self._show_summary)

    def _show_summary(self) -> None:
        self.query_one("#import-form", VerticalScroll).scroll_to_widget(
            self.query_one("#summary"), animate=False, top=True
        )

    def action_import(self) -> None:
        if self.busy:
            return
        plan = self._importable()
        if plan is None:
            self.notify(_("Check the file first."), severity="warning")
            return

        def question() -> str:
            return _("Import {households} and {people} into the register?").format(
                households=households_text(len(plan.households)), people=people_text(plan.people)
            )

        def answered(yes: bool | None) -> None:
            if yes:
                self._busy(_("Importing {people} ...").format(people=people_text(plan.people)))
                self.call_after_refresh(self._apply, plan)

        self.app.push_screen(
            ConfirmDialog(question, confirm_label=N_("Import"), cancel_label=N_("Cancel")),
            answered,
        )

    def _apply(self, plan: imp.ImportPlan) -> None:
        try:
            self.result = imp.apply_import(self.ctx, plan)
        except imp.ImportFileError as err:
            self.plan = None
            self._done()
            self._show_state()
            self.notify(err.render(_), severity="error")
            return
        except _not_imported() as err:
            # The whole import is one transaction: it was rolled back, nothing is half-done.
            self._done()
            self._show_state()
            known = explain_database_error(err, self.app.db_path)
            if isinstance(err, ValidationError):
                reason = problems_text(err)
            elif known is not None:  # damage, or a register that became read-only
                reason = known.render(_)
            else:  # the database's own words are English and technical: name the kind
                reason = type(err).__name__
            self.notify(_("Nothing was imported: {reason}").format(reason=reason), severity="error")
            return
        self._done()
        self.plan = None
        self._show_state()
        self.notify(
            _("Imported: {households}, {people}.").format(
                households=households_text(len(self.result.households)),
                people=people_text(self.result.people),
            )
        )
        self.query_one("#to-register", Button).focus()

    def action_close(self) -> None:
        if self.busy:
            return
        self.dismiss(self.result is not None)
