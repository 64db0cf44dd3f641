"""One household: its people, what documents each has, their cases, and what to do next.

The top half is the family at a glance (a row per person, a mark per document);
the bottom half follows the highlighted person: documents in words, open cases
(Enter opens one) and the next step of the checklist that can go ahead now —
what to bring and where to go — or what blocks it.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Static

from docassist.domain.model import (
    CASE_STATUS_LABELS,
    DOCUMENT_LABELS,
    DOCUMENT_STATE_LABELS,
    RELATION_LABELS,
    DocumentKind,
    DocumentState,
)
from docassist.domain.text import N_
from docassist.handouts.plan import (
    DEADLINE_AHEAD,
    DEADLINE_PASSED,
    LATER,
    RESOLVE,
    Alternative,
    BlockedProcedure,
    NextStep,
    PlanSections,
    Waiting,
    plan_sections,
)
from docassist.i18n import _, current_language, format_date, format_number, ngettext, pgettext
from docassist.procedures import (
    CORRECTION,
    DISPUTED,
    IN_PROGRESS,
    Blocker,
    Checklist,
    PersonPlan,
)
from docassist.services import cases as cases_svc
from docassist.services import erasure
from docassist.services import households as hh
from docassist.services import plans as plans_svc
from docassist.services.cases import VOIDED, Case
from docassist.services.context import NotFoundError, ValidationError
from docassist.store.db import BusyDatabaseError
from docassist.ui.base import DocScreen
from docassist.ui.birth_dates import shown_birth_date
from docassist.ui.busy import calm_when_busy, say_busy
from docassist.ui.checklist_text import localized
from docassist.ui.dialogs import (
    ChecklistPickerDialog,
    ConfirmDialog,
    FullTextDialog,
    Passage,
    is_cut,
    save_handout,
    shortened,
)
from docassist.ui.screens.household_form import HouseholdFormScreen
from docassist.ui.screens.person_form import PersonFormScreen
from docassist.ui.widgets.fast_table import FastTable
from docassist.ui.widgets.footer import KeysFooter
from docassist.ui.widgets.screen_body import ScreenBody
from docassist.ui.widgets.title_bar import TitleBar

# The documents every family is asked about, as columns of the members table.
SUMMARY_DOCUMENTS = (
    DocumentKind.BIRTH_REGISTRATION,
    DocumentKind.CITIZENSHIP,
    DocumentKind.RESIDENCE,
    DocumentKind.ID_CARD,
    DocumentKind.HEALTH_INSURANCE,
)
# A mark and a colour per state; the mark alone must carry the meaning.
MARKS: dict[DocumentState, tuple[str, str]] = {
    DocumentState.HAVE: ("✓", "bold green"),
    DocumentState.IN_PROGRESS: ("…", "bold yellow"),
    DocumentState.MISSING: ("✗", "bold red"),
    DocumentState.UNKNOWN: ("?", "dim"),
}
STATE_ORDER = (
    DocumentState.HAVE,
    DocumentState.IN_PROGRESS,
    DocumentState.MISSING,
    DocumentState.UNKNOWN,
)


def document_initials() -> dict[DocumentKind, str]:
    """Column heads of the members table, in the current language."""
    return {
        # Translators: a one-letter abbreviation of "Birth registration", a column head.
        # The five document letters must all differ.
        DocumentKind.BIRTH_REGISTRATION: pgettext("document initial", "B"),
        # Translators: a one-letter abbreviation of "Citizenship certificate".
        DocumentKind.CITIZENSHIP: pgettext("document initial", "C"),
        # Translators: a one-letter abbreviation of "Registered residence".
        DocumentKind.RESIDENCE: pgettext("document initial", "R"),
        # Translators: a one-letter abbreviation of "ID card".
        DocumentKind.ID_CARD: pgettext("document initial", "I"),
        # Translators: a one-letter abbreviation of "Health insurance card".
        DocumentKind.HEALTH_INSURANCE: pgettext("document initial", "H"),
    }


# A document held past its "valid until": it counts as not held (domain/validity.py).
EXPIRED_MARK = ("!", "bold red")
# Held, valid for 30 days or less: still a tick (it is held), in the warning colour;
# the person's detail says until when.
EXPIRING_STYLE = "bold yellow"


def document_marks(
    documents: dict[DocumentKind, DocumentState],
    expired: set[DocumentKind] | frozenset[DocumentKind] = frozenset(),
    expiring: set[DocumentKind] | frozenset[DocumentKind] = frozenset(),
) -> Text:
    """ "✓ ✓ ✗ … ?" under the initials, one mark per summary document; "!" for one
    that has run out."""
    initials = document_initials()
    out = Text()
    for i, kind in enumerate(SUMMARY_DOCUMENTS):
        mark, style = MARKS[documents.get(kind, DocumentState.UNKNOWN)]
        if kind in expired:
            mark, style = EXPIRED_MARK
        elif kind in expiring:
            style = EXPIRING_STYLE
        if i:
            out.append(" ")
        out.append(mark.ljust(len(initials[kind])), style=style)
    return out


def age_of(person: hh.Person, today: date) -> int | None:
    try:
        return person.age_on(today)
    except ValueError:  # a birth date after today: the form flags it, do not crash here
        return None


class HouseholdScreen(DocScreen):
    """The household ``household_id``, its members and the highlighted member's plan."""

    # The footer shows what a visit needs most; at 80 columns in Serbian and Romani
    # there is no room for more. Every key is listed in F1 help.
    BINDINGS = [
        Binding("a", "add_person", N_("Add person")),
        Binding("e", "edit_person", N_("Edit person"), show=False),
        Binding("h", "edit_household", N_("Household"), show=False),
        Binding("o", "open_case", N_("Open case")),
        Binding("d", "remove_person", N_("Remove"), show=False),
        # Off the footer to leave room for Family plan at 80 columns: the notice after a
        # removal says "Press U to undo", which is when anyone needs it.
        Binding("u", "undo_remove", N_("Undo"), show=False),
        # Rare, coordinators only, behind a warning; F1 lists it. Not D's Remove:
        # erasing cannot be undone.
        Binding("x", "erase_person", N_("Erase this person (on request)"), show=False),
        # Shift+X: the whole family asked; the same warning, naming the household.
        Binding("X", "erase_household", N_("Erase the whole household (on request)"), show=False),
        # Translators: key label; saves the family's next steps as a printable PDF.
        Binding("p", "save_plan", N_("Family plan")),
        Binding("v", "read_all", N_("Read the notes in full"), show=False),
        # Off the footer: with Undo offered there is no room at 80 columns in sr/rom,
        # and Escape goes back on every screen (F1 lists it).
        Binding("escape", "back", N_("Back"), show=False),
    ]

    def __init__(self, household_id: str) -> None:
        super().__init__()
        self.household_id = household_id
        self.person_id: str | None = None  # the highlighted member
        self.detail: hh.HouseholdDetail | None = None
        self.cases: list[Case] = []
        self.plans: dict[str, PersonPlan] = {}
        self.removed: tuple[str, str] | None = None  # (id, name) of the last removal
        self._resumed = False
        self._reload_pending = False
        self._viewed = False  # the opening is audited once; reloads are not

    # -- drawing -------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield ScreenBody(self._compose_body)
        yield KeysFooter()

    def _compose_body(self) -> ComposeResult:
        yield Static(id="household-info")
        yield Static(id="no-members", classes="empty-state hidden", markup=False)
        table: DataTable = FastTable(id="member-table", cursor_type="row", zebra_stripes=True)
        table.add_column(_("Name"), key="name")
        table.add_column(_("Relation"), key="relation")
        table.add_column(_("Born"), key="born")
        table.add_column(_("Age"), key="age")
        table.add_column(" ".join(document_initials().values()), key="documents")
        yield table
        yield Static(self._legend(), id="legend")
        with VerticalScroll(id="person-detail"):
            yield Static(id="person-name")
            yield Static(id="person-documents")
            yield Static(id="cases-title", classes="section-title")
            yield FastTable(id="case-table", cursor_type="row")
            yield Static(id="next-step")

    def _legend(self, expired: bool = False) -> Content:
        initials = document_initials()
        parts: list[str | tuple[str, str]] = []
        for kind in SUMMARY_DOCUMENTS:
            parts += [(initials[kind], "bold"), f" {_(DOCUMENT_LABELS[kind])}  "]
        for state in STATE_ORDER:
            mark, style = MARKS[state]
            parts += [(mark, style), f" {_(DOCUMENT_STATE_LABELS[state])}  "]
        if expired:  # only where it is seen: the legend of most households stays as it was
            parts += [EXPIRED_MARK, f" {_('Expired')}  "]
        return Content.assemble(*parts)

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#member-table", DataTable).focus()

    def on_screen_resume(self) -> None:
        # Back from a form or a case: show what changed there. (The first resume
        # comes right after mounting, which has just loaded everything.)
        if self._resumed:
            self.request_reload()
        self._resumed = True

    def records_arrived(self) -> None:
        self.request_reload()

    async def retranslate(self) -> None:
        await self.query_one(ScreenBody).recompose()
        self.reload()
        self.query_one("#member-table", DataTable).focus()

    # -- loading -------------------------------------------------------------

    def request_reload(self) -> None:
        """Reload once after the current burst of events: a dialog's answer and this
        screen's resume both ask for it, and one fresh read is enough."""
        if not self._reload_pending:
            self._reload_pending = True
            self.call_after_refresh(self._reload_now)

    def _reload_now(self) -> None:
        self._reload_pending = False
        self.reload()

    def reload(self) -> None:
        ctx = self.ctx
        try:
            if self._viewed:
                self.detail = hh.get_household(ctx, self.household_id)
            else:
                self.detail = hh.view_household(ctx, self.household_id)
                self._viewed = True
        except NotFoundError:
            self.notify(_("This household is no longer in the register."), severity="error")
            self.app.pop_screen()
            return
        except BusyDatabaseError as err:
            # Opening is recorded (whose data was seen): with the register held by
            # another program it cannot be, so the household is not shown either.
            say_busy(self, err)
            self.app.pop_screen()
            return
        # with the voided ones, listed as such: their history stays one Enter away
        self.cases = cases_svc.cases_of_household(ctx, self.household_id, voided=True)
        self.plans = plans_svc.household_plans(ctx, self.household_id, self.app.checklists)
        gone = hh.last_removed_member(ctx, self.household_id)
        self.removed = (gone.id, gone.full_name) if gone else None
        self._show_household()
        self._fill_members()
        self._show_person()
        self.refresh_bindings()

    def _show_household(self) -> None:
        assert self.detail is not None
        h = self.detail.household
        place = ", ".join(p for p in (h.settlement, h.address, h.municipality) if p)
        second: list[str | tuple[str, str]] = []
        if place:
            second.append(place)
        if h.phone:
            second += ["   ", (_("Phone:"), "dim"), f" {h.phone}"]
        if h.consent_date:
            day = format_date(date.fromisoformat(h.consent_date))
            second += ["   ", (_("Consent: {date}").format(date=day), "dim")]
        else:
            second += ["   ", (_("No consent recorded"), "bold $warning")]
        lines = [Content.assemble((h.family_name, "bold"))]
        if second:
            lines.append(Content.assemble(*second))
        if h.notes:
            # Shortened to two lines at most: the members and their cases stay in view.
            note: list[str | tuple[str, str]] = [(_("Notes:"), "dim"), " " + shortened(h.notes)]
            if is_cut(h.notes):
                note.append((" · " + _("V: read in full"), "dim"))
            lines.append(Content.assemble(*note))
        self.query_one("#household-info", Static).update(Content("\n").join(lines))

    def _fill_members(self) -> None:
        assert self.detail is not None
        table = self.query_one("#member-table", DataTable)
        table.clear()
        today = self.ctx.today()
        members = self.detail.members
        for m in members:
            age = age_of(m, today)
            table.add_row(
                Text(m.full_name),
                Text(_(RELATION_LABELS[m.relation])),
                Text(shown_birth_date(m.birth_date)),
                Text(str(age) if age is not None else ""),
                document_marks(
                    plans_svc.documents_as_planned(m, self.plans.get(m.id))[0],
                    m.expired_on(today),
                    m.expiring_on(today),
                ),
                key=m.id,
            )
        self.query_one("#legend", Static).update(
            self._legend(expired=any(m.expired_on(today) for m in members))
        )
        ids = [m.id for m in members]
        if self.person_id not in ids:
            self.person_id = ids[0] if ids else None
        if self.person_id is not None:
            table.move_cursor(row=ids.index(self.person_id), animate=False)
        empty = self.query_one("#no-members", Static)
        empty.update(
            _("Nobody is recorded in this household yet. Press A to add the first person.")
        )
        empty.set_class(bool(members), "hidden")
        table.set_class(not members, "hidden")
        self.query_one("#legend").set_class(not members, "hidden")
        self.query_one("#person-detail").set_class(not members, "hidden")

    def _person(self) -> hh.Person | None:
        if self.detail is None or self.person_id is None:
            return None
        return next((m for m in self.detail.members if m.id == self.person_id), None)

    def _show_person(self) -> None:
        person = self._person()
        if person is None:
            return
        lang = current_language().code
        self.query_one("#person-name", Static).update(Content.assemble((person.full_name, "bold")))
        self.query_one("#person-documents", Static).update(
            self._documents(person, self.plans.get(person.id))
        )
        self._fill_cases(person, lang)
        self.query_one("#next-step", Static).update(self._plan(self.plans.get(person.id), lang))

    def _documents(self, person: hh.Person, plan: PersonPlan | None) -> Content:
        """The documents in words, grouped by state. A document the plan takes the person
        to hold although its state is not recorded (it follows from the JMBG or another
        document) is listed as held, never "Has" in the plan and "Not known" here."""
        documents, inferred = plans_svc.documents_as_planned(person, plan)
        today = self.ctx.today()
        expired, expiring = person.expired_on(today), person.expiring_on(today)
        groups: dict[DocumentState, list[str]] = {s: [] for s in STATE_ORDER}
        ran_out: list[str] = []
        for kind in DocumentKind:
            state = documents.get(kind)
            if state is None and kind not in SUMMARY_DOCUMENTS:
                continue  # rarer documents only when something is recorded about them
            label = _(DOCUMENT_LABELS[kind])
            until = person.valid_until.get(kind)
            if kind in expired and until is not None:
                ran_out.append(
                    _("{document} (valid until {date})").format(
                        document=label, date=format_date(until)
                    )
                )
                continue
            if kind in expiring and until is not None:
                label = _("{document} (expires {date})").format(
                    document=label, date=format_date(until)
                )
            if kind in inferred:
                groups[DocumentState.HAVE].append(
                    _("{document} (follows from the other records)").format(document=label)
                )
                continue
            groups[state or DocumentState.UNKNOWN].append(label)
        lines = []
        for state in STATE_ORDER:
            if groups[state]:
                mark, style = MARKS[state]
                lines.append(
                    Content.assemble(
                        (mark, style),
                        " ",
                        (_(DOCUMENT_STATE_LABELS[state]) + ":", "bold"),
                        " " + ", ".join(groups[state]),
                    )
                )
        if ran_out:
            lines.insert(
                0,
                Content.assemble(
                    EXPIRED_MARK,
                    " ",
                    (_("Expired, to renew:"), "bold red"),
                    " " + ", ".join(ran_out),
                ),
            )
        return Content("\n").join(lines)

    def _fill_cases(self, person: hh.Person, lang: str) -> None:
        table = self.query_one("#case-table", DataTable)
        title = self.query_one("#cases-title", Static)
        # Columns too: their widths only ever grow, and each person's titles differ.
        table.clear(columns=True)
        table.add_column(_("Checklist"), key="checklist")
        table.add_column(_("Status"), key="status")
        # The due date before the step: a long step title is cut at the right edge
        # at 80 columns, and it must not take the date with it.
        table.add_column(_("Due"), key="due")
        table.add_column(_("Step"), key="step")
        mine = [c for c in self.cases if c.person_id == person.id]
        # Open cases first, then the finished ones, newest first within each.
        mine.sort(key=lambda c: (not c.is_active, c.opened_at), reverse=False)
        active = sum(1 for c in mine if c.is_active)
        if mine:
            title.update(
                ngettext("{n} open case", "{n} open cases", active).format(n=active)
                + "  "
                + _("(Enter opens the highlighted case)")
            )
        else:
            title.update(_("No cases yet. Press O to open one."))
        table.set_class(not mine, "hidden")
        if not mine:
            return
        today = self.ctx.today()
        for case in mine:
            checklist = self.app.checklists.get(case.checklist_id)
            name = checklist.title.get(lang)[0] if checklist else case.checklist_id
            step = case.current_step() if case.is_active else None
            step_title = ""
            if step is not None:
                definition = checklist.step(step.key) if checklist else None
                step_title = definition.title.get(lang)[0] if definition else step.key
            due = Text("")
            if case.is_active and case.next_due:
                due = Text(
                    format_date(case.next_due),
                    style="bold red" if case.next_due < today else "",
                )
            table.add_row(
                Text(name),
                Text(
                    _(VOIDED) if case.voided_at else _(CASE_STATUS_LABELS[case.status]),
                    style="" if case.is_active else "dim",
                ),
                due,
                Text(step_title),
                key=case.id,
            )

    def _plan(self, plan: PersonPlan | None, lang: str) -> Content:
        """The next step in full, then what else can start, what is blocked, what to check."""
        sections = plan_sections(plan, self.cases)
        if sections is None:
            return Content(_("No procedure is needed on the checklists we have."))
        lines = [
            Content.assemble(
                (_(RESOLVE), "bold $error"),
                " ",
                _(DISPUTED).format(
                    document=_(DOCUMENT_LABELS[kind]), source=_(DOCUMENT_LABELS[source])
                ),
            )
            for kind, source in sections.disputed.items()
        ]
        lines += self._now(sections, lang)
        lines += [self._alternative(alternative, lang) for alternative in sections.alternatives]
        for blocked in sections.blocked:
            lines += self._blocked(blocked, lang)
        lines += self._checks(sections, lang)
        if sections.held:
            held = ", ".join(_(DOCUMENT_LABELS[kind]) for kind in sections.held)
            lines.append(Content.assemble((_("Has:"), "dim"), " ", (held, "dim")))
        if sections.done:
            titles = ", ".join(i.checklist.title.get(lang)[0] for i in sections.done)
            lines.append(Content.assemble((_("Done:"), "dim"), " ", (titles, "dim")))
        return Content("\n").join(lines)

    def _now(self, sections: PlanSections, lang: str) -> list[Content]:
        """The next step in full and one line for each other thing that can start."""
        if not sections.next_steps:
            if sections.nothing_can_start:
                return [Content.assemble((_("Nothing can start yet."), "bold"))]
            return [Content(_("Nothing to start: what fits this person is done."))]
        first, *others = sections.next_steps
        lines = self._next_step(first, lang)
        for other in others:
            also: list[str | Content | tuple[str, str]] = [
                (_("Also:"), "bold"),
                " ",
                localized(other.item.checklist.title, lang),
            ]
            if other.step is not None:
                also += [" — ", localized(other.step.title, lang)]
            lines.append(Content.assemble(*also))
            lines += self._waiting(other.waiting, lang)
        return lines

    def _next_step(self, next_step: NextStep, lang: str) -> list[Content]:
        item = next_step.item
        state = _("case open") if item.state == IN_PROGRESS else _("can start now")
        lines = [
            Content.assemble(
                (_("Next step:"), "bold $success"),
                " ",
                localized(item.checklist.title, lang).stylize("bold"),
                (f"  ({state})", "dim"),
            )
        ]
        step = next_step.step
        if step is None:
            lines.append(Content("  " + _("All steps are done: record the outcome on the case.")))
            return lines
        lines.append(Content.assemble("  ", localized(step.title, lang).stylize("bold")))
        if next_step.due is not None:
            lines.append(Content.assemble("  ", self._due(next_step.due)))
        lines += self._deadlines(next_step, lang)
        books = next_step.books_line(_)
        if books:
            lines.append(Content.assemble("  ", (books, "$warning")))
        if step.bring:
            lines.append(Content.assemble("  ", (_("Bring:"), "bold")))
            for thing in step.bring:
                lines.append(Content.assemble("   • ", localized(thing, lang)))
        if step.where.get(lang)[0]:
            lines.append(
                Content.assemble("  ", (_("Where:"), "bold"), " ", localized(step.where, lang))
            )
        for blocker in next_step.later:
            lines.append(Content.assemble("  ", (self._later(blocker, lang), "$warning")))
        lines += self._waiting(next_step.waiting, lang)
        return lines

    def _waiting(self, waiting: tuple[Waiting, ...], lang: str) -> list[Content]:
        """What waits on a procedure, one line per person: "Needed first for: A, B"."""
        return [
            Content.assemble("  ", (w.render(_, lambda cid: self._title(cid, lang)), "italic"))
            for w in waiting
        ]

    def _deadlines(self, next_step: NextStep, lang: str) -> list[Content]:
        """The legal deadlines from the birth: dated, and plain words once one passed."""
        lines = []
        for deadline in next_step.deadlines:
            title = deadline.step.title.get(lang)[0]
            day = format_date(deadline.due)
            if deadline.passed:
                text = _(DEADLINE_PASSED).format(step=title, date=day)
                lines.append(Content.assemble("  ", (text, "bold $error")))
                if deadline.step.after_deadline is not None:
                    lines.append(
                        Content.assemble("  ", localized(deadline.step.after_deadline, lang))
                    )
            elif next_step.step is None or deadline.step.key != next_step.step.key:
                lines.append(Content.assemble("  ", _(DEADLINE_AHEAD).format(step=title, date=day)))
        return lines

    def _later(self, blocker: Blocker, lang: str) -> str:
        step = blocker.from_title.get(lang)[0] if blocker.from_title else ""
        return _(LATER).format(step=step, blocker=blocker.render(_, lang))

    def _title(self, checklist_id: str, lang: str) -> str:
        checklist = self.app.checklists.get(checklist_id)
        return checklist.title.get(lang)[0] if checklist else checklist_id

    def _due(self, due: date) -> Content:
        day = format_date(due)
        if due < self.ctx.today():
            return Content.assemble((_("Overdue since {date}").format(date=day), "bold $error"))
        return Content(_("Due {date}").format(date=day))

    def _alternative(self, alternative: Alternative, lang: str) -> Content:
        main = alternative.instead_of
        label = _("Or, instead of {checklist}:").format(
            checklist=main.title.get(lang)[0] if main else alternative.item.alternative_to
        )
        title = localized(alternative.item.checklist.title, lang)
        return Content.assemble((label, "bold"), " ", title)

    def _blocked(self, blocked: BlockedProcedure, lang: str) -> list[Content]:
        title = localized(blocked.item.checklist.title, lang)
        lines = [Content.assemble((_("Blocked:"), "bold $error"), " ", title)]
        for line in blocked.blockers:
            lines.append(Content.assemble("  • ", line.blocker.render(_, lang)))
            if isinstance(line.reason, str):
                lines.append(Content.assemble("    ", Content(line.reason).stylize("dim")))
            elif line.reason is not None and line.reason.get(lang)[0]:
                lines.append(Content.assemble("    ", localized(line.reason, lang).stylize("dim")))
        lines += self._waiting(blocked.waiting, lang)
        return lines

    def _checks(self, sections: PlanSections, lang: str) -> list[Content]:
        """What the facilitator should check, each said once."""
        notes: list[str] = []
        for note in sections.notes:
            text = note.render(_, lang)
            if text not in notes:
                notes.append(text)
        for kind, source in sections.corrections.items():
            notes.append(
                _(CORRECTION).format(
                    document=_(DOCUMENT_LABELS[kind]), source=_(DOCUMENT_LABELS[source])
                )
            )
        return [Content.assemble((_("Check:"), "bold $warning"), " ", text) for text in notes]

    # -- events --------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#member-table")
    def _member_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        if key != self.person_id:
            self.person_id = key
            self._show_person()
            self.refresh_bindings()

    @on(DataTable.RowSelected, "#member-table")
    def _member_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        table = self.query_one("#case-table", DataTable)
        if table.row_count:
            table.focus()
            table.move_cursor(row=0)
            self.query_one("#person-detail").scroll_to_widget(table)
        else:
            self.notify(_("No cases yet. Press O to open one."))

    @on(DataTable.RowSelected, "#case-table")
    def _case_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.app.open_case(event.row_key.value)

    # -- actions -------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo_remove":
            return self.removed is not None
        if action in ("edit_person", "remove_person", "erase_person", "open_case", "save_plan"):
            return True if self._person() is not None else None
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_save_plan(self) -> None:
        """Each member's next steps as a PDF, in the family's language."""
        from docassist.services.handouts import make_family_plan

        try:
            handout = make_family_plan(self.ctx, self.household_id, self.app.checklists)
        except NotFoundError:
            self.notify(_("This household is no longer in the register."), severity="error")
            return
        save_handout(self.app, handout, N_("Save the family plan"), self.ctx)

    def action_add_person(self) -> None:
        self.app.push_screen(PersonFormScreen(self.household_id), self._person_saved)

    def action_read_all(self) -> None:
        """The household's notes, and the highlighted person's, whole."""
        passages: list[Passage] = []
        if self.detail is not None and self.detail.household.notes:
            passages.append((lambda: _("Notes"), self.detail.household.notes))
        person = self._person()
        if person is not None and person.notes:
            name = person.full_name
            passages.append((lambda: _("Notes on {name}").format(name=name), person.notes))
        if passages:
            self.app.push_screen(FullTextDialog(passages))
        else:
            self.notify(_("There are no notes to read."))

    def action_edit_person(self) -> None:
        person = self._person()
        if person is not None:
            self.app.push_screen(PersonFormScreen(self.household_id, person.id), self._person_saved)

    def _person_saved(self, person_id: str | None) -> None:
        if person_id:
            self.person_id = person_id
            self.request_reload()

    def action_edit_household(self) -> None:
        self.app.push_screen(HouseholdFormScreen(self.household_id))

    def action_open_case(self) -> None:
        person = self._person()
        if person is None:
            return
        plan = self.plans.get(person.id)
        picker = ChecklistPickerDialog(person.full_name, plan, list(self.app.checklists))
        self.app.push_screen(picker, lambda cid: self._open_checklist(person.id, cid))

    def _open_checklist(self, person_id: str, checklist_id: str | None) -> None:
        """Open a case on the procedure chosen: its case if one is open; else a new one,
        asked first when the plan says the procedure does not seem to fit the person."""
        if not checklist_id:
            return
        existing = next(
            (
                c
                for c in self.cases
                if c.person_id == person_id and c.checklist_id == checklist_id and c.is_active
            ),
            None,
        )
        if existing is not None:
            self.app.open_case(existing.id)
            return
        checklist = self.app.checklists.get(checklist_id)
        if checklist is None:
            return
        plan = self.plans.get(person_id)
        if plan is not None and plan.fits(checklist_id):
            self._open_new_case(person_id, checklist)
            return
        members = self.detail.members if self.detail is not None else []
        name = next((m.full_name for m in members if m.id == person_id), "")

        def question() -> str:
            title = checklist.title.get(current_language().code)[0]
            return _(
                "{checklist} does not seem to fit {name}: their plan does not suggest it. "
                "Open a case on it anyway?"
            ).format(checklist=title, name=name)

        self.app.push_screen(
            ConfirmDialog(
                question,
                confirm_label=N_("Open the case"),
                cancel_label=N_("Cancel"),
                cancel_first=True,
            ),
            lambda yes: self._open_new_case(person_id, checklist) if yes else None,
        )

    @calm_when_busy
    def _open_new_case(
        self, person_id: str, checklist: Checklist, *, even_if_held: bool = False
    ) -> None:
        try:
            cases_svc.open_case(
                self.ctx,
                person_id,
                checklist.id,
                checklist.version,
                plans_svc.case_steps(self.ctx, person_id, checklist),
                produces=checklist.produces,
                even_if_held=even_if_held,
            )
        except ValidationError as err:
            problem = next(iter(err.problems.values()))[0]
            if problem.code == "held" and not even_if_held:
                # The person holds the document already: a renewal, a lost card, or a
                # mistake. Asked, and opened only when the user says so.
                self.app.push_screen(
                    ConfirmDialog(
                        lambda: problem.render(_) + "\n" + _("Open the case anyway?"),
                        confirm_label=N_("Open the case"),
                        cancel_label=N_("Cancel"),
                        cancel_first=True,
                    ),
                    lambda yes: (
                        self._open_new_case(person_id, checklist, even_if_held=True)
                        if yes
                        else None
                    ),
                )
                return
            self.notify(problem.render(_), severity="error")
            return
        except NotFoundError:
            self.notify(_("This person is no longer in the register."), severity="error")
            self.request_reload()
            return
        self.request_reload()
        title = checklist.title.get(current_language().code)[0]
        self.notify(_("Case opened: {checklist}.").format(checklist=title))

    def action_remove_person(self) -> None:
        person = self._person()
        if person is None:
            return
        active = sum(1 for c in self.cases if c.person_id == person.id and c.is_active)

        def question() -> str:
            text = _("Remove {name} from this household?").format(name=person.full_name)
            if active:
                text += "\n" + ngettext(
                    "Their {n} open case will be closed as abandoned (undo reopens it).",
                    "Their {n} open cases will be closed as abandoned (undo reopens them).",
                    active,
                ).format(n=active)
            return text

        self.app.push_screen(
            ConfirmDialog(
                question,
                confirm_label=N_("Remove"),
                cancel_label=N_("Keep"),
                danger=True,
            ),
            lambda yes: self._remove(person) if yes else None,
        )

    @calm_when_busy
    def _remove(self, person: hh.Person) -> None:
        try:
            hh.remove_person(self.ctx, person.id)
        except NotFoundError:
            pass  # already gone (another screen, another laptop): nothing to undo
        else:
            self.removed = (person.id, person.full_name)
            self.notify(
                _("{name} was removed. Press U to undo.").format(name=person.full_name),
                timeout=15,
            )
        self.person_id = None
        self.request_reload()

    def action_erase_person(self) -> None:
        """Erasure on request: every trace of the person's data, for good."""
        person = self._person()
        if person is None:
            return
        if not erasure.may_erase(self.ctx):
            self.notify(_(erasure.REFUSAL), severity="error")
            return

        def question() -> str:
            return _(
                "Erase all personal data of {name}? Names, JMBG, birth data, notes, "
                "documents and case notes are removed for good, also from the audit log. "
                "This cannot be undone."
            ).format(name=person.full_name)

        self.app.push_screen(
            ConfirmDialog(
                question,
                title=lambda: _("Erase this person (on request)"),
                confirm_label=N_("Erase for good"),
                cancel_label=N_("Keep"),
                danger=True,
                cancel_first=True,
            ),
            lambda yes: self._erase(person) if yes else None,
        )

    @calm_when_busy
    def _erase(self, person: hh.Person) -> None:
        try:
            erasure.erase_person(self.ctx, person.id, erasure.APP_REASON)
        except ValidationError as err:
            self.notify(err.problems[next(iter(err.problems))][0].render(_), severity="error")
            return
        except NotFoundError:
            pass  # gone meanwhile: nothing left to erase
        if self.removed is not None and self.removed[0] == person.id:
            self.removed = None
        self.person_id = None
        self.notify(_("The person's data was erased. The audit log records who and when."))
        self.request_reload()

    def action_erase_household(self) -> None:
        """Erasure on request of the whole family: each member, then the household."""
        detail = self.detail
        if detail is None:
            return
        if not erasure.may_erase(self.ctx):
            self.notify(_(erasure.REFUSAL), severity="error")
            return
        family = detail.household.family_name

        def question() -> str:
            return _(
                "Erase all personal data of the household {family} and of each of its "
                "{n} members? Names, JMBGs, the address, phone, notes, documents and case "
                "notes are removed for good, also from the audit log. This cannot be undone."
            ).format(family=family, n=format_number(len(detail.members)))

        self.app.push_screen(
            ConfirmDialog(
                question,
                title=lambda: _("Erase this household (on request)"),
                confirm_label=N_("Erase for good"),
                cancel_label=N_("Keep"),
                danger=True,
                cancel_first=True,
            ),
            lambda yes: self._erase_household() if yes else None,
        )

    @calm_when_busy
    def _erase_household(self) -> None:
        try:
            erasure.erase_household(self.ctx, self.household_id, erasure.APP_REASON)
        except ValidationError as err:
            self.notify(err.problems[next(iter(err.problems))][0].render(_), severity="error")
            return
        except NotFoundError:
            pass  # gone meanwhile (another laptop): nothing left to erase
        self.app.pop_screen()
        self.app.notify(_("The household's data was erased. The audit log records who and when."))

    @calm_when_busy
    def action_undo_remove(self) -> None:
        if self.removed is None:
            return
        person_id, name = self.removed
        hh.restore_person(self.ctx, person_id)
        self.removed = None
        self.person_id = person_id
        self.request_reload()
        self.notify(_("{name} is back in the household.").format(name=name))
