"""The end of a workshop: who came, what was covered, and cases for those who need them.

Each person present is offered every checklist the workshop covered, ticked where their
plan (``services.plans``) says they still need the document. Confirming opens all the
ticked cases in one transaction; people with a case already open, or who already hold
the document, are skipped and named.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from docassist.domain.model import Role
from docassist.domain.text import N_
from docassist.i18n import _, current_language, format_date, format_number, ngettext
from docassist.procedures import BLOCKED, DONE, IN_PROGRESS, READY, Checklist, ChecklistSet
from docassist.services import export, plans
from docassist.services import households as hh
from docassist.services import workshops as ws
from docassist.services.accounts import REFUSALS, Action
from docassist.services.context import Context, ValidationError
from docassist.ui.base import DocScreen
from docassist.ui.busy import calm_when_busy, calm_when_busy_async
from docassist.ui.dialogs import (
    ConfirmDialog,
    ExportProtection,
    SaveDialog,
    ask_to_export_names,
)
from docassist.ui.widgets.field_problems import problems_text
from docassist.ui.widgets.footer import KeysFooter
from docassist.ui.widgets.tick_list import TickList, ticked_line
from docassist.ui.widgets.title_bar import TitleBar

STATE_LABELS = {
    # Translators: the next four and "does not fit" end a line "person · procedure · …"
    # and say whether the person still needs the document this procedure gives.
    READY: N_("needs it"),
    BLOCKED: N_("needs it, something first"),
    IN_PROGRESS: N_("case open"),
    DONE: N_("has it"),
}
NOT_FITTING = N_("does not fit")


@dataclass(frozen=True)
class CaseRow:
    person: hh.Person
    checklist: Checklist
    state: str | None  # a plan state, None when the checklist does not fit the person
    # Another route to a document whose main route is open to the person: not suggested,
    # so a workshop on both routes does not open two cases for one document.
    alternative: bool = False

    @property
    def key(self) -> str:
        return f"{self.person.id}|{self.checklist.id}"

    @property
    def suggested(self) -> bool:
        return self.state in (READY, BLOCKED) and not self.alternative


def case_rows(ctx: Context, workshop: ws.Workshop, checklists: ChecklistSet) -> list[CaseRow]:
    """Every person present × every checklist covered, with what their plan says."""
    covered = [c for c in (checklists.get(cid) for cid in workshop.checklists) if c]
    rows: list[CaseRow] = []
    for attendee in ws.attendees(ctx, workshop.id, script_name=current_language().script):
        person_plans = plans.household_plans(ctx, attendee.household_id, checklists)
        for person in attendee.people:
            plan = person_plans.get(person.id)
            for checklist in covered:
                item = plan.item(checklist.id) if plan else None
                rows.append(
                    CaseRow(
                        person,
                        checklist,
                        item.state if item else None,
                        alternative=bool(item and item.alternative_to),
                    )
                )
    return rows


class EndScreen(DocScreen):
    """Who came and what was covered; then open cases for the people who need them."""

    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding("ctrl+o", "open_cases", N_("Open cases")),
        # Translators: key labels; each saves one file for the workshop.
        Binding("s", "signin_sheet", N_("Sign-in sheet")),
        Binding("k", "workshop_pack", N_("All checklists"), show=False),
        Binding("x", "export_attendance", N_("Export"), show=False),
    ]
    AUTO_FOCUS = "#ws-end-cases, #ws-end-open"

    def __init__(self, workshop_id: str) -> None:
        super().__init__()
        self.workshop_id = workshop_id
        self.selected: set[str] | None = None  # None: as suggested by each person's plan
        self.result = ""

    def compose(self) -> ComposeResult:
        ctx, code = self.ctx, current_language().code
        workshop = ws.get_workshop(ctx, self.workshop_id)
        rows = case_rows(ctx, workshop, self.app.checklists)
        self._rows = {r.key: r for r in rows}
        covered = [self.app.checklists.get(cid) for cid in workshop.checklists]
        titles = [c.title.get(code)[0] for c in covered if c]
        where = " · ".join(
            p for p in (workshop.place, workshop.settlement, workshop.municipality) if p
        )
        households = ngettext("{n} household", "{n} households", workshop.households).format(
            n=format_number(workshop.households)
        )
        people = ngettext("{n} person", "{n} people", workshop.people).format(
            n=format_number(workshop.people)
        )
        yield TitleBar()
        with VerticalScroll(id="ws-end", can_focus=False):
            yield Static(_("End of the workshop"), classes="ws-screen-title")
            yield Static(
                "\n".join(
                    [
                        " · ".join(p for p in (format_date(workshop.held_on), where) if p),
                        _("Covered: {checklists}").format(checklists=", ".join(titles)),
                        _("Here: {households}, {people}.").format(
                            households=households, people=people
                        ),
                    ]
                ),
                id="ws-end-summary",
                markup=False,
            )
            yield Label(_("Open cases for these people"), classes="ws-section")
            if rows:
                yield Static(
                    _("Ticked: people who still need the document. Space ticks or unticks."),
                    classes="hint",
                )
                selections = [self._selection(r, code) for r in rows]
                yield Static(
                    ticked_line(sum(1 for s in selections if s.initial_state), len(rows)),
                    id="ws-end-count",
                    classes="hint",
                )
                yield TickList[str](*selections, id="ws-end-cases")
            else:
                yield Static(_("Nobody is marked here yet. Press Escape, then a."), classes="hint")
            yield Static(
                self.result,
                id="ws-end-result",
                markup=False,
                classes="" if self.result else "hidden",
            )
            with Horizontal(id="ws-end-buttons"):
                yield Button(_("Open the ticked cases"), variant="primary", id="ws-end-open")
                yield Button(_("Close the workshop"), id="ws-end-close")
            yield Label(_("Paper and files for this workshop"), classes="ws-section")
            with Horizontal(id="ws-end-files", classes="ws-end-buttons"):
                yield Button(_("Sign-in sheet (S)"), id="ws-end-signin")
                yield Button(_("All checklists (K)"), id="ws-end-pack")
                yield Button(_("Attendance: counts (X)"), id="ws-end-export")
                if self.app.role == Role.COORDINATOR:
                    yield Button(_("Attendance with names"), id="ws-end-export-names")
        yield KeysFooter()

    def _selection(self, row: CaseRow, code: str) -> Selection[str]:
        person = row.person
        born = f" ({person.birth_date.year})" if person.birth_date else ""
        state = _(STATE_LABELS[row.state]) if row.state in STATE_LABELS else _(NOT_FITTING)
        label = f"{person.full_name}{born} · {row.checklist.title.get(code)[0]} · {state}"
        ticked = row.suggested if self.selected is None else row.key in self.selected
        is_open = row.state == IN_PROGRESS
        return Selection(label, row.key, ticked and not is_open, disabled=is_open)

    @on(SelectionList.SelectedChanged, "#ws-end-cases")
    def _ticked(self, event: SelectionList.SelectedChanged) -> None:
        self.selected = set(event.selection_list.selected)
        self.query_one("#ws-end-count", Static).update(
            ticked_line(len(self.selected), len(self._rows))
        )

    def chosen_cases(self) -> list[tuple[str, str]]:
        chosen: list[tuple[str, str]] = []
        for lists in self.query("#ws-end-cases").results(SelectionList):
            for key in lists.selected:
                row = self._rows[key]
                chosen.append((row.person.id, row.checklist.id))
        return chosen

    @on(Button.Pressed, "#ws-end-open")
    def action_open_cases(self) -> None:
        chosen = self.chosen_cases()
        if not chosen:
            self.notify(_("Nothing is ticked."))
            return
        question = ngettext(
            "Open {n} case for the people ticked?",
            "Open {n} cases for the people ticked?",
            len(chosen),
        ).format(n=format_number(len(chosen)))

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_next(self._open, chosen)

        self.app.push_screen(
            ConfirmDialog(question, confirm_label=N_("Open cases"), cancel_label=N_("Cancel")),
            answered,
        )

    @calm_when_busy_async
    async def _open(self, chosen: list[tuple[str, str]]) -> None:
        ctx, code = self.ctx, current_language().code
        try:
            result = ws.open_cases_for_attendees(ctx, self.workshop_id, chosen, self.app.checklists)
        except ValidationError as err:
            self.result = problems_text(err)
        else:
            self.result = self._result_text(result, code)
        self.selected = None  # the plans changed: suggest afresh
        await self.recompose()
        self.query_one("#ws-end-result").scroll_visible(animate=False)

    def _result_text(self, result: ws.OpenedCases, code: str) -> str:
        names = {r.person.id: r.person.full_name for r in self._rows.values()}

        def line(person_id: str, checklist_id: str) -> str:
            checklist = self.app.checklists.get(checklist_id)
            title = checklist.title.get(code)[0] if checklist else checklist_id
            return f"  {names.get(person_id, '?')}: {title}"

        lines = [
            ngettext("Opened {n} case.", "Opened {n} cases.", len(result.opened)).format(
                n=format_number(len(result.opened))
            )
        ]
        lines += [line(o.person_id, o.checklist_id) for o in result.opened]
        already_open = [s for s in result.skipped if s.reason == ws.MSG_ALREADY_OPEN]
        held = [s for s in result.skipped if s.reason != ws.MSG_ALREADY_OPEN]
        if already_open:
            lines.append(
                ngettext(
                    "Skipped {n}: a case is already open.",
                    "Skipped {n}: a case is already open.",
                    len(already_open),
                ).format(n=format_number(len(already_open)))
            )
            lines += [line(s.person_id, s.checklist_id) for s in already_open]
        if held:
            lines.append(
                ngettext(
                    "Skipped {n}: they already hold the document (to open a case anyway, "
                    "use their household's screen).",
                    "Skipped {n}: they already hold the document (to open a case anyway, "
                    "use their household's screen).",
                    len(held),
                ).format(n=format_number(len(held)))
            )
            lines += [line(s.person_id, s.checklist_id) for s in held]
        return "\n".join(lines)

    @on(Button.Pressed, "#ws-end-signin")
    def action_signin_sheet(self) -> None:
        """Who is marked present, with blank lines for newcomers (it names people)."""
        from docassist.services.handouts import make_signin_sheet
        from docassist.ui.dialogs import save_handout

        handout = make_signin_sheet(self.ctx, self.workshop_id, self.app.checklists)
        save_handout(self.app, handout, N_("Save the sign-in sheet"), self.ctx)

    @on(Button.Pressed, "#ws-end-pack")
    def action_workshop_pack(self) -> None:
        from docassist.services.context import NotFoundError
        from docassist.services.handouts import make_workshop_pack
        from docassist.ui.dialogs import save_handout

        try:
            handout = make_workshop_pack(self.ctx, self.workshop_id, self.app.checklists)
        except NotFoundError:
            self.notify(
                _("The checklists of this workshop are no longer installed."), severity="error"
            )
            return
        save_handout(self.app, handout, N_("Save every checklist of the workshop"))

    @on(Button.Pressed, "#ws-end-export")
    def action_export_attendance(self) -> None:
        """Counts only: how many households and people came, by sex and age."""
        self._export(names=False, protection=None)

    @on(Button.Pressed, "#ws-end-export-names")
    def _export_names(self) -> None:
        """Who came, for a coordinator: warned, then encrypted as every export with names."""
        if self.app.role != Role.COORDINATOR:
            self.notify(_(REFUSALS[Action.EXPORT_WITH_NAMES]), severity="error")
            return

        ask_to_export_names(
            self.app,
            lambda: _(export.ATTENDANCE_NAMES_WARNING),
            N_("Export the names anyway? It is recorded in the audit log."),
            lambda protection: self._export(names=True, protection=protection),
        )

    def _export(self, *, names: bool, protection: ExportProtection | None) -> None:
        workshop = ws.get_workshop(self.ctx, self.workshop_id)
        encrypted = protection is not None and not protection.unencrypted
        default = export.default_export_dir() / export.attendance_export_name(
            workshop.held_on, "xlsx", names, encrypted
        )

        def save(text: str) -> Path:
            path = Path(text).expanduser()
            return export.export_attendance(
                self.ctx,
                self.workshop_id,
                export.export_format(path),
                path,
                language=current_language().code,
                names=names,
                passphrase=protection.passphrase if protection else None,
                unencrypted=bool(protection and protection.unencrypted),
            ).path

        def saved(path: Path | None) -> None:
            if path is not None:
                self.notify(_("Saved: {path}").format(path=path), timeout=20)

        title = N_("Export who came") if names else N_("Export the attendance (counts)")
        self.app.push_screen(SaveDialog(lambda: _(title), default, save=save), saved)

    @on(Button.Pressed, "#ws-end-close")
    @calm_when_busy
    def _close(self) -> None:
        # Recorded (and audited) as ended; it stays in the list to continue from, as
        # closed, for a late sign-in sheet or a case forgotten.
        ws.close_workshop(self.ctx, self.workshop_id)
        self.dismiss("close")

    def action_back(self) -> None:
        self.dismiss(None)
